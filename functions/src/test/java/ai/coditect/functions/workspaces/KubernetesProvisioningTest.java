package ai.coditect.functions.workspaces;

import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.testing.CountingBackend;
import ai.coditect.functions.testing.KubernetesApiStandIn;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.kubernetes.client.openapi.ApiClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provisioner's real code path — the official Kubernetes client over HTTP — against a Kubernetes API
 * stand-in (fabric8's mock server in CRUD mode), with the store on the embedded engine.
 */
class KubernetesProvisioningTest {
    private final TestClock clock = TestClock.atNow();
    private final Database db = EmbeddedDatabase.inMemory(clock);
    private final Keyspace keys = Keyspace.open(db, "test");
    private final WorkspaceStore store = new WorkspaceStore(keys);
    private final ProcessedEvents processed = new ProcessedEvents(keys, ProcessedEvents.DEFAULT_RETENTION);
    private final WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
            URI.create("https://platform.test"), Duration.ZERO);
    private KubernetesApiStandIn cluster;
    private ProvisionService provisioner;
    private final String tenant = Ids.newId();
    private final String user = Ids.newId();
    private String ns;

    @BeforeEach
    void start() throws Exception {
        cluster = new KubernetesApiStandIn();
        provisioner = provisionerOn(cluster.apiClient());
        ns = "ws-" + user;
        db.run(tr -> {
            store.createRequested(tr, Ids.newId(), tenant, user, clock.instant());
            return null;
        });
    }

    private ProvisionService provisionerOn(ApiClient client) {
        return new ProvisionService(db, store, processed, new KubernetesWorkspaces(client, config), clock,
                new PrometheusRegistry());
    }

    @AfterEach
    void stop() {
        cluster.close();
        db.close();
    }

    private Event provision() {
        return Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, tenant, user, Map.of(), clock);
    }

    private Event stopRequest() {
        return Event.of(EventType.WORKSPACE_STOP_REQUESTED, tenant, user, Map.of("reason", "user"), clock);
    }

    private Workspace record() {
        return db.read(tr -> store.read(tr, tenant, user).join());
    }

    private int count(String kind) {
        var c = cluster.inspect();
        return switch (kind) {
            case "namespace" -> c.namespaces().withName(ns).get() == null ? 0 : 1;
            case "quota" -> c.resourceQuotas().inNamespace(ns).list().getItems().size();
            case "limits" -> c.limitRanges().inNamespace(ns).list().getItems().size();
            case "policy" -> c.network().networkPolicies().inNamespace(ns).list().getItems().size();
            case "pvc" -> c.persistentVolumeClaims().inNamespace(ns).list().getItems().size();
            case "secret" -> c.secrets().inNamespace(ns).list().getItems().size();
            case "pod" -> c.pods().inNamespace(ns).list().getItems().size();
            case "service" -> c.services().inNamespace(ns).list().getItems().size();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private void assertOneOfEach() {
        for (String kind : List.of("namespace", "quota", "limits", "policy", "pvc", "secret", "pod", "service")) {
            assertEquals(1, count(kind), kind);
        }
    }

    @Test
    void aProvisionRequestCreatesEveryObjectWithItsImportantFields() {
        provisioner.handle(provision());
        assertOneOfEach();
        var c = cluster.inspect();
        Workspace ws = record();
        assertEquals(WorkspaceStatus.PROVISIONING, ws.status());
        assertEquals(ns, ws.namespace());
        assertEquals("https://" + ws.id() + ".ws.coditect.local/", ws.url());

        Map<String, String> labels = c.namespaces().withName(ns).get().getMetadata().getLabels();
        assertEquals(tenant, labels.get("coditect.ai/tenant"));
        assertEquals(user, labels.get("coditect.ai/user"));
        assertEquals("coditect-workspace", labels.get("app.kubernetes.io/name"));
        assertEquals("coditect-provisioner", labels.get("app.kubernetes.io/managed-by"));

        var quota = c.resourceQuotas().inNamespace(ns).list().getItems().getFirst().getSpec().getHard();
        assertEquals("1", quota.get("persistentvolumeclaims").toString());
        assertEquals("2", quota.get("pods").toString());
        assertEquals("10Gi", quota.get("requests.storage").toString());
        assertNotNull(quota.get("limits.cpu"));
        assertNotNull(c.limitRanges().inNamespace(ns).list().getItems().getFirst().getSpec().getLimits().getFirst()
                .getDefault().get("memory"));

        NetworkPolicy policy = c.network().networkPolicies().inNamespace(ns).list().getItems().getFirst();
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        assertTrue(policy.getSpec().getPodSelector().getMatchLabels() == null
                || policy.getSpec().getPodSelector().getMatchLabels().isEmpty(), "applies to every pod");
        var ingress = policy.getSpec().getIngress();
        assertEquals(1, ingress.size());
        assertEquals("ingress-nginx", ingress.getFirst().getFrom().getFirst().getNamespaceSelector().getMatchLabels()
                .get("kubernetes.io/metadata.name"));
        assertEquals(8080, ingress.getFirst().getPorts().getFirst().getPort().getIntVal());
        var internet = policy.getSpec().getEgress().stream().filter(e -> e.getTo().getFirst().getIpBlock() != null)
                .findFirst().orElseThrow().getTo().getFirst().getIpBlock();
        assertEquals("0.0.0.0/0", internet.getCidr());
        assertTrue(internet.getExcept().containsAll(List.of("169.254.169.254/32", "10.0.0.0/8")), internet.getExcept().toString());

        assertEquals("10Gi", c.persistentVolumeClaims().inNamespace(ns).withName("home").get().getSpec().getResources()
                .getRequests().get("storage").toString());

        String token = new String(Base64.getDecoder().decode(c.secrets().inNamespace(ns).withName("agent-token").get()
                .getData().get("token")), StandardCharsets.UTF_8);
        assertTrue(AgentTokens.matches(token, ws.agentTokenHash()), "only the token's hash is in the store");
        assertFalse(ws.agentTokenHash().contains(token.split("\\.")[2]));

        Pod pod = c.pods().inNamespace(ns).withName("workspace").get();
        assertEquals(List.of("theia", "codi2", "sidecar"), pod.getSpec().getContainers().stream().map(Container::getName).toList());
        assertEquals(Boolean.TRUE, pod.getSpec().getSecurityContext().getRunAsNonRoot());
        assertEquals(Boolean.FALSE, pod.getSpec().getAutomountServiceAccountToken());
        for (Container container : pod.getSpec().getContainers()) {
            assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), container.getName());
            assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop(), container.getName());
            assertNotNull(container.getResources().getLimits().get("memory"), container.getName());
            assertNotNull(container.getResources().getRequests().get("cpu"), container.getName());
        }
        Container theia = pod.getSpec().getContainers().get(0);
        assertEquals("ghcr.io/coditect/theia:1.74.1", theia.getImage());
        assertEquals("/home/project", theia.getVolumeMounts().getFirst().getMountPath());
        Container sidecar = pod.getSpec().getContainers().get(2);
        assertEquals(Boolean.TRUE, sidecar.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals("/readyz", sidecar.getReadinessProbe().getHttpGet().getPath());
        assertEquals("management", sidecar.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("/healthz", sidecar.getLivenessProbe().getHttpGet().getPath());
        Map<String, String> env = new java.util.HashMap<>();
        sidecar.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertEquals(user, env.get("CODITECT_OWNER_USER_ID"));
        assertEquals(tenant, env.get("CODITECT_OWNER_TENANT_ID"));
        assertEquals("https://platform.test/.well-known/jwks.json", env.get("CODITECT_JWKS_URL"));
        assertEquals("https://platform.test/v1/auth/session", env.get("CODITECT_SESSION_URL"));
        assertTrue(env.get("CODITECT_AGENT_TOKEN_FILE").startsWith("/var/run/coditect/agent"));
        assertTrue(sidecar.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("agent-token")
                && Boolean.TRUE.equals(m.getReadOnly())));
        assertTrue(theia.getVolumeMounts().stream().noneMatch(m -> m.getName().equals("agent-token")),
                "the IDE, which runs the user's code, never sees the agent token");
        assertTrue(theia.getEnv() == null || theia.getEnv().stream().noneMatch(e -> e.getName().contains("AGENT")));

        Container codi2 = pod.getSpec().getContainers().get(1);
        Map<String, String> codi2Env = new java.util.HashMap<>();
        codi2.getEnv().forEach(e -> codi2Env.put(e.getName(), e.getValue()));
        assertEquals("https://platform.test", codi2Env.get("CODITECT_PLATFORM_URL"), "CODI2 finds the agent registry");
        assertEquals(env.get("CODITECT_AGENT_TOKEN_FILE"), codi2Env.get("CODITECT_AGENT_TOKEN_FILE"),
                "CODI2 reads the same token file as the sidecar");
        var codi2Token = codi2.getVolumeMounts().stream().filter(m -> m.getName().equals("agent-token")).findFirst()
                .orElseThrow(() -> new AssertionError("the agent token is mounted into codi2"));
        assertTrue(codi2Env.get("CODITECT_AGENT_TOKEN_FILE").startsWith(codi2Token.getMountPath() + "/"));
        assertEquals(Boolean.TRUE, codi2Token.getReadOnly(), "codi2 cannot change the token");
        assertEquals(0400, pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("agent-token"))
                .findFirst().orElseThrow().getSecret().getDefaultMode());

        var service = c.services().inNamespace(ns).withName("workspace").get();
        assertEquals(Map.of("app.kubernetes.io/instance", ns), service.getSpec().getSelector());
        assertEquals("public", service.getSpec().getPorts().getFirst().getTargetPort().getStrVal());
        assertEquals(ns, pod.getMetadata().getLabels().get("app.kubernetes.io/instance"), "the service selects the pod");
    }

    @Test
    void theWorkspaceRunsWhenItsPodIsReadyAndEachPhaseIsTimed() {
        provisioner.handle(provision());
        clock.advance(Duration.ofMillis(1_200));
        cluster.podProgress(ns, true, false);
        Workspace scheduled = provisioner.refresh(record());
        assertEquals(WorkspaceStatus.PROVISIONING, scheduled.status());
        assertNotNull(scheduled.provisioning().scheduledAt());
        clock.advance(Duration.ofMillis(3_400));
        cluster.podProgress(ns, true, true);
        Workspace running = provisioner.refresh(record());
        assertEquals(WorkspaceStatus.RUNNING, running.status());
        ProvisioningTimes t = running.provisioning();
        assertEquals(1_200, Duration.between(t.appliedAt(), t.scheduledAt()).toMillis());
        assertEquals(3_400, Duration.between(t.scheduledAt(), t.readyAt()).toMillis());
        assertTrue(db.read(tr -> tr.get(keys.runningWorkspace(tenant, user)).join()) != null,
                "running_workspaces follows the status");
        assertEquals(clock.millis(), Keyspace.millis(db.read(tr -> tr.get(keys.workspaceActivity(tenant, user)).join())),
                "idle time counts from the start");
    }

    @Test
    void stoppingKeepsTheVolumeAndStartingAgainReusesIt() {
        provisioner.handle(provision());
        cluster.podProgress(ns, true, true);
        provisioner.refresh(record());
        String volume = cluster.inspect().persistentVolumeClaims().inNamespace(ns).withName("home").get()
                .getMetadata().getUid();

        provisioner.handle(stopRequest());
        assertEquals(WorkspaceStatus.STOPPED, record().status());
        assertEquals(0, count("pod"));
        assertEquals(0, count("service"));
        assertEquals(1, count("pvc"), "the volume stays");
        assertNull(db.read(tr -> tr.get(keys.runningWorkspace(tenant, user)).join()));

        provisioner.handle(provision());
        assertOneOfEach();
        assertEquals(volume, cluster.inspect().persistentVolumeClaims().inNamespace(ns).withName("home").get()
                .getMetadata().getUid(), "the same volume, so the user's files are there");
    }

    @Test
    void deletingTheAccountsWorkspaceRemovesItsNamespace() throws Exception {
        provisioner.handle(provision());
        provisioner.delete(tenant, user);
        assertEquals(0, count("namespace"));
        assertNull(record());
    }

    @Test
    void theSameEventThreeTimesAndTwoConcurrentProvisionsLeaveOneOfEach() throws Exception {
        Event once = provision();
        for (int i = 0; i < 3; i++) {
            provisioner.handle(once);
        }
        assertOneOfEach();
        String hash = record().agentTokenHash();

        provisioner.handle(stopRequest());
        ExecutorService two = Executors.newFixedThreadPool(2);
        List<Future<?>> racing = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            racing.add(two.submit(() -> provisioner.handle(provision())));
        }
        for (Future<?> f : racing) {
            f.get();
        }
        two.shutdown();
        assertOneOfEach();
        assertEquals(WorkspaceStatus.PROVISIONING, record().status());
        assertEquals(hash, record().agentTokenHash(), "the Secret kept its token, and the store its hash");
    }

    @Test
    void aRunInterruptedBetweenObjectsIsCompletedByTheNextDelivery() {
        Event event = provision();
        cluster.failNext("POST", "/pods", 500, "etcd is having a moment", 1);
        assertThrows(ProvisionService.RetryLater.class, () -> provisioner.handle(event));
        assertEquals(WorkspaceStatus.FAILED, record().status());
        assertTrue(record().message().contains("retried"), record().message());
        assertEquals(0, count("pod"));
        assertEquals(1, count("secret"));
        String token = new String(Base64.getDecoder().decode(cluster.inspect().secrets().inNamespace(ns)
                .withName("agent-token").get().getData().get("token")), StandardCharsets.UTF_8);

        provisioner.handle(event); // Pub/Sub delivers it again
        assertOneOfEach();
        assertEquals(WorkspaceStatus.PROVISIONING, record().status());
        assertTrue(AgentTokens.matches(token, record().agentTokenHash()), "the first run's Secret was kept");
    }

    @Test
    void forbiddenNamespaceCreationFailsForGoodWithAMessage() {
        cluster.failNext("POST", "/api/v1/namespaces", 403, "namespaces is forbidden: User cannot create", 1);
        Event event = provision();
        provisioner.handle(event); // not retryable: no exception, the event is done
        Workspace ws = record();
        assertEquals(WorkspaceStatus.FAILED, ws.status());
        assertTrue(ws.message().contains("forbidden"), ws.message());
        provisioner.handle(event);
        assertEquals(0, count("namespace"), "the same event is not tried again");
    }

    @Test
    void anExceededQuotaFailsWithAMessageTheUserCanRead() {
        cluster.failNext("POST", "/pods", 403, "pods \\\"workspace\\\" is forbidden: exceeded quota: workspace-quota", 1);
        provisioner.handle(provision());
        assertEquals(WorkspaceStatus.FAILED, record().status());
        assertTrue(record().message().contains("quota"), record().message());
    }

    @Test
    void aStalledApiFailsTheAttemptAndAsksForARetry() {
        cluster.stallNext("POST", "/api/v1/namespaces", Duration.ofSeconds(5), 1);
        assertThrows(ProvisionService.RetryLater.class, () -> provisioner.handle(provision()));
        assertEquals(WorkspaceStatus.FAILED, record().status());
        assertTrue(record().message().contains("retried"), record().message());
    }

    @Test
    void anUnreachableApiFailsTheAttemptAndAsksForARetry() throws Exception {
        int closedPort = ai.coditect.shared.net.FreePorts.any();
        ApiClient nowhere = new ApiClient().setBasePath("http://127.0.0.1:" + closedPort);
        ProvisionService cut = provisionerOn(nowhere);
        assertThrows(ProvisionService.RetryLater.class, () -> cut.handle(provision()));
        assertEquals(WorkspaceStatus.FAILED, record().status());
        assertTrue(record().message().contains("unreachable"), record().message());
        provisioner.handle(provision());
        assertOneOfEach();
    }

    @Test
    void objectsThatAnotherRunCreatedAreConflictsNotErrors() {
        cluster.inspect().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName(ns).endMetadata().build()).create();
        cluster.inspect().services().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("workspace").endMetadata().build()).create();
        provisioner.handle(provision());
        assertOneOfEach();
        assertEquals(WorkspaceStatus.PROVISIONING, record().status());
    }

    @Test
    void anImagePullErrorSeenLaterFailsTheWorkspaceWithTheImageNamed() {
        provisioner.handle(provision());
        cluster.imagePullFails(ns, "theia", "ghcr.io/coditect/theia:nope");
        Workspace ws = provisioner.refresh(record());
        assertEquals(WorkspaceStatus.FAILED, ws.status());
        assertTrue(ws.message().contains("theia") && ws.message().contains("ghcr.io/coditect/theia:nope"), ws.message());
    }

    @Test
    void aStopDeliveredThreeTimesStopsOnce() {
        provisioner.handle(provision());
        cluster.podProgress(ns, true, true);
        provisioner.refresh(record());
        Event stop = stopRequest();
        provisioner.handle(stop);
        String stoppedAt = record().stoppedAt().toString();
        clock.advance(Duration.ofMinutes(1));
        provisioner.handle(stop);
        provisioner.handle(stop);
        assertEquals(WorkspaceStatus.STOPPED, record().status());
        assertEquals(stoppedAt, record().stoppedAt().toString(), "one effect");
    }

    @Test
    void statusPollsLookAtTheClusterOnlyWhileProvisioningAndAtMostOncePerInterval() throws Exception {
        CountingBackend counting = new CountingBackend(new KubernetesWorkspaces(cluster.apiClient(), config));
        ProvisionService watched = new ProvisionService(db, store, processed, counting, clock, new PrometheusRegistry());
        try (InProcessEventBus bus = InProcessEventBus.withDefaults(clock);
             Outbox outbox = new Outbox(db, keys, bus, Duration.ofSeconds(10), new PrometheusRegistry())) {
            WorkspaceService service = new WorkspaceService(db, store, watched, outbox, clock, Duration.ofSeconds(3));
            watched.handle(provision());
            int looks = counting.podStates(user);
            for (int i = 0; i < 10; i++) {
                assertEquals(WorkspaceStatus.PROVISIONING, service.mine(tenant, user).workspace().status());
            }
            assertEquals(looks + 1, counting.podStates(user), "one look within the interval, however many polls");

            clock.advance(Duration.ofSeconds(3));
            service.mine(tenant, user);
            assertEquals(looks + 2, counting.podStates(user), "another look once the interval passed");

            cluster.podProgress(ns, true, true);
            clock.advance(Duration.ofSeconds(3));
            assertEquals(WorkspaceStatus.RUNNING, service.mine(tenant, user).workspace().status());
            int running = counting.podStates(user);
            for (int i = 0; i < 20; i++) {
                clock.advance(Duration.ofSeconds(10));
                assertEquals(WorkspaceStatus.RUNNING, service.mine(tenant, user).workspace().status());
            }
            assertEquals(running, counting.podStates(user), "a running workspace is read from the store only");
        }
    }

    @Test
    void provisioningReturnsOnceTheObjectsAreAppliedWithoutWaitingForThePod() {
        Event request = provision();
        provisioner.handle(request);
        Workspace ws = record();
        assertEquals(WorkspaceStatus.PROVISIONING, ws.status(), "the pod is not ready, and nobody waited for it");
        assertNotNull(ws.provisioning().appliedAt());
        boolean done = db.read(tr -> processed.seen(tr, request.id()).join());
        assertTrue(done, "the request is done with");
        cluster.podProgress(ns, true, true);
        assertEquals(WorkspaceStatus.RUNNING, provisioner.refresh(record()).status(), "a status poll takes over");
    }

    @Test
    void anIdleStopIsIgnoredWhenTheWorkspaceWasUsedSinceTheCheck() {
        provisioner.handle(provision());
        cluster.podProgress(ns, true, true);
        provisioner.refresh(record());
        java.time.Instant idleSince = clock.instant().minus(Duration.ofMinutes(31));
        clock.advance(Duration.ofSeconds(5));
        db.run(tr -> {
            store.recordActivity(tr, tenant, user, clock.instant());
            return null;
        });
        provisioner.handle(Event.of(EventType.WORKSPACE_STOP_REQUESTED, tenant, user,
                Map.of("reason", "idle", "lastActivityAt", idleSince.toString()), clock));
        assertEquals(WorkspaceStatus.RUNNING, record().status());
        assertEquals(1, count("pod"));
    }
}
