package ai.coditect.functions;

import ai.coditect.functions.auth.Session;
import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.functions.testing.KubernetesApiStandIn;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.BatchScan;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Keyspace.Part;
import ai.coditect.shared.store.MalformedValueException;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.tuple.ByteArrayUtil;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The key layout holds for the whole platform: after a scenario through the real services over HTTP (signup, login,
 * session checks, failed logins, a workspace provisioned, used, stopped, an agent with tasks, a cleanup run, the
 * deletion of an account and the outbox relay), every key in the store belongs to a subspace of {@link Keyspace}
 * and its value decodes with that subspace's codec.
 */
class EveryStoredKeyDecodesTest {
    private static final String PASSWORD = "correct horse battery staple";
    /** The directory layer's own metadata lives under this prefix, outside every application subspace. */
    private static final byte DIRECTORY_LAYER = (byte) 0xfe;

    private final TestClock clock = TestClock.atNow();
    private KubernetesApiStandIn cluster;
    private TestPlatform platform;

    @BeforeEach
    void start() throws Exception {
        cluster = new KubernetesApiStandIn();
        WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
                URI.create("https://platform.test"), Duration.ZERO);
        platform = TestPlatform.start(clock, SessionPolicy.DEFAULT,
                new EventsConfig(null, null), new KubernetesWorkspaces(cluster.apiClient(), config));
    }

    @AfterEach
    void stop() {
        platform.close();
        cluster.close();
    }

    /** What the walk found: how many keys of each part. */
    private record Walk(Map<Part, Integer> parts, int directoryKeys) {
    }

    /** Reads every key of the store, a batch per transaction, and decodes each with its part's codec. */
    private Walk walk() {
        Database db = platform.platform().database();
        Keyspace keys = platform.platform().keyspace();
        Map<Part, Integer> parts = new EnumMap<>(Part.class);
        int[] directory = {0};
        List<String> faults = new ArrayList<>();
        BatchScan.read(db, new Range(new byte[0], new byte[] {(byte) 0xff}), 200, (tr, batch) -> batch, batch -> {
            for (KeyValue kv : batch) {
                if (kv.getKey().length > 0 && kv.getKey()[0] == DIRECTORY_LAYER) {
                    directory[0]++;
                    continue;
                }
                try {
                    Keyspace.Located at = keys.locate(kv.getKey());
                    at.part().codec().decode(kv.getValue());
                    parts.merge(at.part(), 1, Integer::sum);
                } catch (IllegalArgumentException | MalformedValueException e) {
                    faults.add(ByteArrayUtil.printable(kv.getKey()) + ": " + e.getMessage());
                }
            }
            return true;
        });
        if (!faults.isEmpty()) {
            fail("keys no codec reads:\n" + String.join("\n", faults));
        }
        return new Walk(parts, directory[0]);
    }

    private JsonNode awaitWorkspace(String token, String status) throws InterruptedException {
        JsonNode[] last = {null};
        Eventually.holds(Duration.ofSeconds(30), () -> {
            Reply r = platform.get("/v1/workspaces/me", token);
            last[0] = r.status() == 200 ? r.json().get("workspace") : null;
            return last[0] != null && last[0].get("status").asText().equals(status) && last[0].hasNonNull("url");
        }, () -> "the workspace never became " + status + "; last seen " + last[0]);
        return last[0];
    }

    private Reply login(String email, String password) {
        return platform.post("/v1/auth/login", Json.string(Map.of("email", email, "password", password)), null);
    }

    private Reply post(String path, Object body, String token) {
        return platform.post(path, Json.string(body), token);
    }

    @Test
    void afterAFullScenarioEveryKeyInTheStoreDecodesWithTheCodecOfItsSubspace() throws Exception {
        JsonNode ada = platform.signup("ada@example.com", PASSWORD);
        String adaToken = ada.get("accessToken").asText();
        String adaId = ada.at("/user/id").asText();
        JsonNode bob = platform.signup("bob@example.com", PASSWORD);
        String bobToken = bob.get("accessToken").asText();
        String bobId = bob.at("/user/id").asText();

        String second = platform.login("ada@example.com", PASSWORD).get("accessToken").asText();
        assertEquals(200, platform.get("/v1/auth/session", second).status());
        assertEquals(2, platform.get("/v1/auth/sessions", adaToken).json().get("sessions").size());
        for (int i = 0; i < 2; i++) {
            assertEquals(401, login("ada@example.com", "not the password").status());
        }
        assertEquals(401, login("nobody@example.com", "not the password").status());

        awaitWorkspace(adaToken, "provisioning");
        cluster.podProgress("ws-" + adaId, true, true);
        awaitWorkspace(adaToken, "running");
        String agentToken = new String(Base64.getDecoder().decode(cluster.inspect().secrets()
                .inNamespace("ws-" + adaId).withName("agent-token").get().getData().get("token")),
                StandardCharsets.UTF_8);
        Reply activity = platform.send(platform.builder("/v1/workspaces/activity", agentToken)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(204, activity.status(), activity.body());

        AgentCard card = AgentCard.of("coder", "http://127.0.0.1:7070/a2a",
                List.of(new AgentCard.Skill("code", "code", "writes code", List.of("test"))));
        Reply registered = post("/v1/agents", Map.of("card", card), agentToken);
        assertEquals(201, registered.status(), registered.body());
        String agentId = registered.json().get("agentId").asText();
        Reply claimedTask = platform.send(platform.builder("/v1/tasks", adaToken)
                .header("Content-Type", "application/json").header("Idempotency-Key", "first-task")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(Map.of("skill", "code", "priority", 7)))));
        assertEquals(201, claimedTask.status(), claimedTask.body());
        Reply claim = post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1, "skills", List.of("code")),
                agentToken);
        assertEquals(200, claim.status(), claim.body());
        assertEquals(201, post("/v1/tasks", Map.of("skill", "code"), adaToken).status(), "one task stays queued");

        Reply stop = platform.post("/v1/workspaces/me/stop", null, adaToken);
        assertEquals(202, stop.status(), stop.body());
        awaitWorkspace(adaToken, "stopped");

        Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        platform.platform().events().publish(tick).get(10, TimeUnit.SECONDS);
        Database db = platform.platform().database();
        Eventually.holds(Duration.ofSeconds(20), () -> Transactions.read(db, tr ->
                new ProcessedEvents(platform.platform().keyspace(), ProcessedEvents.DEFAULT_RETENTION).seen(tr, tick.id()).join()), "the cleanup tick was handled");

        HttpRequest.Builder deletion = platform.builder("/v1/account", bobToken)
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(Json.string(Map.of("password", PASSWORD))));
        assertEquals(202, platform.send(deletion).status());
        String bobTenant = bob.at("/user/tenantId").asText();
        Keyspace keys = platform.platform().keyspace();
        Eventually.holds(Duration.ofSeconds(30), () -> Transactions.read(db, tr ->
                tr.getRange(keys.tenantRange(bobTenant), 1).asList().join().isEmpty()), "Bob's tenant was removed");
        Eventually.holds(Duration.ofSeconds(30), () -> cluster.inspect().namespaces().withName("ws-" + bobId)
                .get() == null, "Bob's workspace was removed");

        // An entry the relay has not published yet, as a commit leaves it before its relay runs.
        Transactions.run(db, tr -> {
            platform.platform().outbox().add(tr, Event.of(EventType.WORKSPACE_STOP_REQUESTED,
                    ada.at("/user/tenantId").asText(), adaId, Map.of("reason", "test"), clock));
            return null;
        });

        Walk before = walk();
        assertTrue(before.directoryKeys() > 0, "the directory layer's own keys were seen and told apart");
        Set<Part> expected = EnumSet.of(Part.USERS_BY_EMAIL, Part.USER, Part.SESSION, Part.SESSION_BY_USER,
                Part.SESSION_LAST_ACCESS, Part.SESSION_EXPIRY, Part.LOGIN_FAILURES, Part.LOGIN_FAILURES_BY_ADDRESS,
                Part.SIGNUP_ATTEMPTS, Part.OUTBOX, Part.WORKSPACE, Part.WORKSPACE_ACTIVITY, Part.PROCESSED_EVENTS,
                Part.AGENT, Part.AGENT_EPOCH, Part.AGENT_BY_SKILL, Part.AGENT_LEASE_EXPIRY, Part.AGENT_TENANTS,
                Part.TASK, Part.TASK_HISTORY, Part.TASK_QUEUE, Part.TASK_QUEUED, Part.TASK_BY_AGENT,
                Part.TASK_CLAIM_EXPIRY, Part.TASK_SIGNAL, Part.TASK_IDEMPOTENCY);
        assertTrue(before.parts().keySet().containsAll(expected), "the scenario reached every part it uses; missing "
                + EnumSet.complementOf(EnumSet.copyOf(before.parts().keySet())));
        assertEquals(1, before.parts().get(Part.USERS_BY_EMAIL), "Bob's email was freed");

        assertTrue(platform.platform().outbox().relay() >= 1);
        Walk after = walk();
        assertEquals(null, after.parts().get(Part.OUTBOX), "the relay published and cleared the outbox");
        assertSame(Session.CODEC, Part.SESSION.codec(), "the walk read sessions with the services' own codec");
    }

    @Test
    void theWalkFailsOnAValueItsSubspacesCodecCannotRead() {
        JsonNode ada = platform.signup("ada@example.com", PASSWORD);
        Keyspace keys = platform.platform().keyspace();
        Transactions.run(platform.platform().database(), tr -> {
            tr.set(keys.sessionLastAccess(ada.at("/user/tenantId").asText(), ada.at("/session/id").asText()),
                    "yesterday".getBytes(StandardCharsets.UTF_8));
            return null;
        });
        AssertionError e = assertThrows(AssertionError.class, this::walk);
        assertTrue(e.getMessage().contains("8-byte little-endian epoch millis"), e.getMessage());
    }
}
