package ai.coditect.deploy;

import ai.coditect.deploy.ProvisionerRbacTest.Grant;
import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceBackendException;
import ai.coditect.functions.workspaces.WorkspaceStatus;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The internet-facing workspaces function only reads a workspace's pod (WorkspaceBackend.podState, through
 * ProvisionService.refresh): it holds the ClusterRole coditect-workspace-reader, which grants exactly the calls
 * podState makes against fabric8's Kubernetes API stand-in, and not the provisioner's role.
 */
class WorkspaceReaderRbacTest {
    @Test
    void theReaderRoleGrantsExactlyWhatReadingAPodsStateCalls() throws Exception {
        List<Request> requests;
        try (RecordingKubernetes kubernetes = new RecordingKubernetes()) {
            requests = kubernetes.requests();
            Instant now = Instant.parse("2026-11-29T12:00:00Z");
            Workspace ws = new Workspace("w0rkspace0id0000000000000a", "tenant0id00000000000000000a",
                    "user0id0000000000000000000a", WorkspaceStatus.RUNNING, null, null, null, null, null, now, now,
                    null, null, null, null);
            KubernetesWorkspaces backend = kubernetes.backend();
            try {
                backend.podState(ws); // no pod yet: the path for a workspace whose pod is gone
                backend.apply(ws, "agent-token-0123456789");
            } catch (WorkspaceBackendException e) {
                // the stand-in's answers are not what this test is about
            }
            requests.clear();
            backend.podState(ws); // a pod that exists
        }
        Set<Grant> used = new TreeSet<>();
        requests.forEach(r -> used.add(ProvisionerRbacTest.grantOf(r)));
        assertEquals(used, new TreeSet<>(ProvisionerRbacTest.granted("workspace_reader").keySet()),
                "modules/gke/rbac.tf: coditect-workspace-reader grants exactly what podState calls");
    }

    @Test
    void theWorkspacesFunctionReadsAndOnlyTheProvisionFunctionProvisions() {
        Map<String, String> access = new HashMap<>();
        Terraform.fields(Terraform.load().rootLocal("functions"),
                (name, f) -> access.put(name, f.path("kubernetes").asText()));
        assertEquals("read", access.get("workspaces"), access.toString());
        assertEquals(List.of("provision"), access.entrySet().stream().filter(e -> e.getValue().equals("provision"))
                .map(Map.Entry::getKey).toList(), access.toString());
    }
}
