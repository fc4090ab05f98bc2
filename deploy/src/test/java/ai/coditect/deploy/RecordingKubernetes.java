package ai.coditect.deploy;

import ai.coditect.functions.workspaces.KubernetesWorkspaces;
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

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * fabric8's Kubernetes API stand-in (objects kept as a real API server would), recording every request the
 * workspace backend makes against it, as {@link ProvisionerRbacTest#grantOf} reads them.
 */
final class RecordingKubernetes implements AutoCloseable {
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final KubernetesMockServer server;

    RecordingKubernetes() {
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
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), recording, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
    }

    /** The requests recorded so far; clear it to record only what follows. */
    List<Request> requests() {
        return requests;
    }

    /** The workspace backend as the functions build it, with the official client pointed at the stand-in. */
    KubernetesWorkspaces backend() {
        ApiClient client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
        client.setReadTimeout(10_000);
        return new KubernetesWorkspaces(client, WorkspacesConfig.fromEnvironment(new Environment(Map.of()),
                "kubernetes", URI.create("https://coditect.example"), Duration.ZERO));
    }

    @Override
    public void close() {
        server.destroy();
    }
}
