package ai.coditect.deploy;

import ai.coditect.deploy.ProvisionerRbacTest.Grant;
import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceBackendException;
import ai.coditect.functions.workspaces.WorkspaceStatus;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The internet-facing workspaces function only reads a workspace's pod (WorkspaceBackend.podState, through
 * ProvisionService.refresh): it holds the ClusterRole coditect-workspace-reader, which grants exactly the calls
 * podState makes against fabric8's Kubernetes API stand-in, and not the provisioner's role.
 */
class WorkspaceReaderRbacTest {
    @Test
    void theReaderRoleGrantsExactlyWhatReadingAPodsStateCalls() throws Exception {
        List<Request> requests = new CopyOnWriteArrayList<>();
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        Dispatcher recording = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(new Request.Builder().url("http://stand-in" + request.getPath())
                        .method(request.getMethod(), request.getMethod().equals("GET") ? null
                                : okhttp3.RequestBody.create(new byte[0]))
                        .build());
                return crud.dispatch(request);
            }
        };
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                recording, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try {
            ApiClient client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
            client.setReadTimeout(10_000);
            WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
                    URI.create("https://coditect.example"), Duration.ZERO);
            Instant now = Instant.parse("2026-11-29T12:00:00Z");
            Workspace ws = new Workspace("w0rkspace0id0000000000000a", "tenant0id00000000000000000a",
                    "user0id0000000000000000000a", WorkspaceStatus.RUNNING, null, null, null, null, null, now, now,
                    null, null, null, null);
            KubernetesWorkspaces backend = new KubernetesWorkspaces(client, config);
            try {
                backend.podState(ws); // no pod yet: the path for a workspace whose pod is gone
                backend.apply(ws, "agent-token-0123456789");
            } catch (WorkspaceBackendException e) {
                // the stand-in's answers are not what this test is about
            }
            requests.clear();
            backend.podState(ws); // a pod that exists
        } finally {
            server.destroy();
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
