package ai.coditect.deploy;

import ai.coditect.deploy.ProvisionerRbacTest.Grant;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.functions.workspaces.WorkspaceStatus;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provisioner's real calls, recorded: every operation of the workspace backend runs against fabric8's
 * Kubernetes API stand-in, and each request it makes must be one the code-derived list of {@link ProvisionerRbacTest}
 * has (so that list misses nothing the client really sends) and one the ClusterRole grants.
 */
class ProvisionerCallsTest {
    private final RecordingKubernetes kubernetes = new RecordingKubernetes();

    @AfterEach
    void stopStandIn() {
        kubernetes.close();
    }

    @Test
    void everyCallTheProvisionerMakesIsDerivedFromItsCodeAndGrantedByItsRole() throws Exception {
        WorkspaceBackend backend = kubernetes.backend();
        List<Request> requests = kubernetes.requests();
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        Workspace ws = new Workspace("w0rkspace0id0000000000000a", "tenant0id00000000000000000a",
                "user0id0000000000000000000a", WorkspaceStatus.REQUESTED, null, null, null, null, null, now, now, null,
                null, null, null);

        // every operation of the backend, applied twice (the second run takes the paths for objects that exist),
        // the removal last
        List<Method> operations = new ArrayList<>(List.of(WorkspaceBackend.class.getMethods()));
        operations.sort(Comparator.comparingInt((Method m) -> m.getName().equals("delete") ? 2
                : m.getName().equals("apply") ? 0 : 1));
        for (int round = 0; round < 2; round++) {
            for (Method m : operations) {
                if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())
                        || (round == 0 && m.getName().equals("delete"))) {
                    continue;
                }
                Object[] args = new Object[m.getParameterCount()];
                for (int i = 0; i < args.length; i++) {
                    Class<?> type = m.getParameterTypes()[i];
                    args[i] = type == Workspace.class ? ws : type == String.class ? "agent-token-0123456789" : null;
                }
                try {
                    m.invoke(backend, args);
                } catch (InvocationTargetException e) {
                    // a refusal of the stand-in is not what this test is about; the request is recorded either way
                }
            }
        }

        assertTrue(requests.size() >= 10, "the provisioner made its calls: " + requests);
        Map<Grant, String> derived = ProvisionerRbacTest.usedByCode();
        Map<Grant, String> granted = ProvisionerRbacTest.granted();
        Set<String> problems = new TreeSet<>();
        for (Request r : requests) {
            Grant g = ProvisionerRbacTest.grantOf(r);
            if (!derived.containsKey(g)) {
                problems.add(r.method() + " " + r.url().encodedPath() + " (" + g + ") is not among the calls derived "
                        + "from the code: the derivation in ProvisionerRbacTest misses it");
            }
            if (!granted.containsKey(g)) {
                problems.add(r.method() + " " + r.url().encodedPath() + " needs " + g
                        + ", which coditect-provisioner does not grant");
            }
        }
        System.out.println("deploy check: the provisioner's recorded calls: " + requests.stream()
                .map(ProvisionerRbacTest::grantOf).map(Grant::toString).distinct().sorted().toList());
        Problems.assertNone("recorded provisioner calls", new ArrayList<>(problems));
    }
}
