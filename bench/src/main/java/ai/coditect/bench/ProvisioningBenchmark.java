package ai.coditect.bench;

import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.ProvisionService;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Provisioning phases on the wall clock against a Kubernetes API stand-in (fabric8's mock server in CRUD mode,
 * driven by the official client), the benchmark plays the kubelet. Measures the platform's own share of a start:
 * applying the eight objects, and request to running when the pod is ready at once.
 * Usage: {@code ./coditect bench provisioning [workspaces, default 20]}.
 */
public final class ProvisioningBenchmark {
    private ProvisioningBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Clock clock = Clock.systemUTC();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        try (NamespacedKubernetesClient kubelet = server.createClient(); Database db = EmbeddedDatabase.inMemory()) {
            ApiClient client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
            WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
                    URI.create("https://platform.bench"), Duration.ZERO);
            Keyspace keys = Keyspace.open(db, "bench");
            WorkspaceStore store = new WorkspaceStore(keys);
            ProvisionService provisioner = new ProvisionService(db, store,
                    new ProcessedEvents(keys, ProcessedEvents.DEFAULT_RETENTION),
                    new KubernetesWorkspaces(client, config), clock, new PrometheusRegistry());
            String tenant = Ids.newId();
            List<Long> apply = new ArrayList<>();
            List<Long> total = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String user = Ids.newId();
                db.run(tr -> {
                    store.createRequested(tr, Ids.newId(), tenant, user, clock.instant());
                    return null;
                });
                provisioner.handle(Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, tenant, user, Map.of(), clock));
                kubelet.pods().inNamespace("ws-" + user).withName("workspace").editStatus(pod -> {
                    pod.setStatus(new PodStatusBuilder().withPhase("Running")
                            .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                            .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
                    return pod;
                });
                Workspace running = provisioner.refresh(db.read(tr -> store.read(tr, tenant, user).join()));
                apply.add(Duration.between(running.provisioning().receivedAt(), running.provisioning().appliedAt())
                        .toMillis());
                total.add(Duration.between(running.provisioning().receivedAt(), running.provisioning().readyAt())
                        .toMillis());
            }
            Collections.sort(apply);
            Collections.sort(total);
            System.out.printf("provisioning against the API stand-in, %d workspaces, %d cores: apply (8 objects) "
                    + "median %d ms, max %d ms; request to running (kubelet played by the benchmark) median %d ms%n",
                    n, Runtime.getRuntime().availableProcessors(), apply.get(n / 2), apply.get(n - 1),
                    total.get(n / 2));
        } finally {
            server.destroy();
        }
    }
}
