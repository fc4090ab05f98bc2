package ai.coditect.functions.testing;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kubernetes API server stand-in on a local port: fabric8's {@code KubernetesMockServer} in CRUD mode (it keeps
 * the objects it is sent), with faults a test can inject in front of it. The provisioner talks to it with the
 * official client over HTTP, as to a real cluster; tests inspect it with fabric8's client and play the kubelet.
 */
public final class KubernetesApiStandIn implements AutoCloseable {
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient fabric8;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AtomicInteger faultsServed = new AtomicInteger();

    /** A fault: requests whose method and path match get {@code status} (or a stall) {@code times} times. */
    private record Fault(String method, String pathContains, int status, String body, Duration stall,
                         AtomicInteger left) {
    }

    public KubernetesApiStandIn() throws Exception {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        Dispatcher faulty = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                for (Fault f : faults) {
                    if (request.getMethod().equalsIgnoreCase(f.method()) && request.getPath().contains(f.pathContains())
                            && f.left().getAndDecrement() > 0) {
                        faultsServed.incrementAndGet();
                        if (f.stall() != null) {
                            try {
                                Thread.sleep(f.stall().toMillis());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return new MockResponse().setResponseCode(f.status()).setBody(f.body());
                    }
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), faulty, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        fabric8 = server.createClient();
    }

    /** The official client, configured for this server, with short timeouts. */
    public ApiClient apiClient() {
        ApiClient client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
        client.setConnectTimeout(2_000);
        client.setReadTimeout(3_000);
        return client;
    }

    /** fabric8's client, to look at what the provisioner created and to play the kubelet. */
    public NamespacedKubernetesClient inspect() {
        return fabric8;
    }

    public void failNext(String method, String pathContains, int status, String message, int times) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
                + "\",\"code\":" + status + "}";
        faults.add(new Fault(method, pathContains, status, body, null, new AtomicInteger(times)));
    }

    public void stallNext(String method, String pathContains, Duration stall, int times) {
        faults.add(new Fault(method, pathContains, 504, "{}", stall, new AtomicInteger(times)));
    }

    /** How many requests got an injected fault instead of the server's answer. */
    public int faultsServed() {
        return faultsServed.get();
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Plays the kubelet: the workspace pod is scheduled, then (when {@code ready}) its containers are ready. */
    public void podProgress(String namespace, boolean scheduled, boolean ready) {
        fabric8.pods().inNamespace(namespace).withName("workspace").editStatus(pod -> {
            var status = new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(ready ? "Running" : "Pending")
                    .addNewCondition().withType("PodScheduled").withStatus(scheduled ? "True" : "False").endCondition()
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                    .build();
            pod.setStatus(status);
            return pod;
        });
    }

    /** Plays the kubelet failing to pull an image. */
    public void imagePullFails(String namespace, String container, String image) {
        fabric8.pods().inNamespace(namespace).withName("workspace").editStatus(pod -> {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending")
                    .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                    .addNewContainerStatus().withName(container).withImage(image).withImageID("").withRestartCount(0).withReady(false)
                    .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                    .withMessage("Back-off pulling image").endWaiting().endState().endContainerStatus().build());
            return pod;
        });
    }

    @Override
    public void close() {
        fabric8.close();
        server.destroy();
    }
}
