package ai.coditect.functions.workspaces;

import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.functions.testing.KubernetesApiStandIn;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workspace endpoints over real HTTP through the Functions Framework invoker, with signup's provisioning
 * going through the event bus to the provisioner and on to the Kubernetes API stand-in.
 */
class WorkspaceEndpointsTest {
    private static final String PASSWORD = "correct horse battery staple";
    private final TestClock clock = TestClock.atNow();
    private KubernetesApiStandIn cluster;
    private TestPlatform platform;

    @BeforeEach
    void start() throws Exception {
        cluster = new KubernetesApiStandIn();
        WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
                URI.create("https://platform.test"), Duration.ZERO);
        platform = TestPlatform.start(clock, SessionPolicy.DEFAULT, new EventsConfig(null, null),
                new KubernetesWorkspaces(cluster.apiClient(), config));
    }

    @AfterEach
    void stop() {
        platform.close();
        cluster.close();
    }

    private JsonNode awaitWorkspace(String token, Predicate<JsonNode> condition) throws InterruptedException {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        Eventually.holds(Duration.ofSeconds(20), () -> {
            Reply r = platform.get("/v1/workspaces/me", token);
            JsonNode workspace = r.status() == 200 ? r.json().get("workspace") : null;
            if (workspace != null) {
                seen.set(workspace);
            }
            return workspace != null && condition.test(workspace);
        }, () -> "the workspace never got there; last seen: " + seen.get());
        return seen.get();
    }

    private String agentToken(String userId) {
        return new String(Base64.getDecoder().decode(cluster.inspect().secrets().inNamespace("ws-" + userId)
                .withName("agent-token").get().getData().get("token")), StandardCharsets.UTF_8);
    }

    private Reply activity(String agentToken, String body) {
        HttpRequest.Builder b = platform.builder("/v1/workspaces/activity", null)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (agentToken != null) {
            b.header("Authorization", "Bearer " + agentToken);
        }
        return platform.send(b);
    }

    @Test
    void signupLeadsToARunningWorkspaceThatCanBeStoppedAndStartedAgain() throws Exception {
        JsonNode signup = platform.signup("ws@example.com", PASSWORD);
        String token = signup.get("accessToken").asText();
        String userId = signup.at("/user/id").asText();

        JsonNode provisioning = awaitWorkspace(token, w -> w.get("status").asText().equals("provisioning")
                && w.hasNonNull("url"));
        assertTrue(provisioning.get("url").asText().startsWith("https://"));
        assertEquals(409, platform.post("/v1/workspaces/me/start", null, token).status(), "already on its way");

        cluster.podProgress("ws-" + userId, true, true);
        JsonNode running = awaitWorkspace(token, w -> w.get("status").asText().equals("running"));
        assertTrue(running.hasNonNull("lastActivityAt"), running.toString());
        assertTrue(running.at("/provisioning/totalMillis").isNumber());

        Reply stop = platform.post("/v1/workspaces/me/stop", null, token);
        assertEquals(202, stop.status(), stop.body());
        assertEquals("stopping", stop.json().at("/workspace/status").asText());
        awaitWorkspace(token, w -> w.get("status").asText().equals("stopped"));
        assertEquals(0, cluster.inspect().pods().inNamespace("ws-" + userId).list().getItems().size());
        Reply again = platform.post("/v1/workspaces/me/stop", null, token);
        assertEquals(409, again.status());
        assertEquals("invalid_transition", again.code());

        assertEquals(202, platform.post("/v1/workspaces/me/start", null, token).status());
        awaitWorkspace(token, w -> w.get("status").asText().equals("provisioning"));
        Eventually.holds(Duration.ofSeconds(20),
                () -> !cluster.inspect().pods().inNamespace("ws-" + userId).list().getItems().isEmpty(),
                "the workspace's pod was created again");
        assertEquals(1, cluster.inspect().pods().inNamespace("ws-" + userId).list().getItems().size(),
                "a new pod, on the kept volume");
    }

    @Test
    void activityNeedsTheWorkspacesOwnAgentToken() throws Exception {
        JsonNode ada = platform.signup("ada@example.com", PASSWORD);
        JsonNode bob = platform.signup("bob@example.com", PASSWORD);
        String adaId = ada.at("/user/id").asText();
        String bobId = bob.at("/user/id").asText();
        awaitWorkspace(ada.get("accessToken").asText(), w -> w.hasNonNull("url"));
        awaitWorkspace(bob.get("accessToken").asText(), w -> w.hasNonNull("url"));
        String adaAgent = agentToken(adaId);
        String bobAgent = agentToken(bobId);

        clock.advance(Duration.ofMinutes(3));
        Instant at = clock.instant();
        assertEquals(204, activity(adaAgent, "{\"lastActivityAt\":\"" + at + "\"}").status());
        JsonNode seen = awaitWorkspace(ada.get("accessToken").asText(), w -> true);
        assertEquals(at, Instant.parse(seen.get("lastActivityAt").asText()));

        String[] bobParts = bobAgent.split("\\.");
        String[] adaParts = adaAgent.split("\\.");
        String adaClaimWithBobsSecret = adaParts[0] + "." + adaParts[1] + "." + bobParts[2];
        for (String bad : new String[] {adaClaimWithBobsSecret, adaAgent + "x", "garbage",
                ada.get("accessToken").asText()}) {
            Reply r = activity(bad, "{}");
            assertEquals(401, r.status(), bad);
            assertEquals("agent_token_invalid", r.code());
        }
        assertEquals(401, activity(null, "{}").status());
        assertEquals(204, activity(bobAgent, "{}").status(), "Bob's token is good for Bob's workspace");
        assertEquals(400, activity(adaAgent, "{\"lastActivityAt\":\"yesterday\"}").status());
    }

    @Test
    void someoneWithoutAWorkspaceGets404() {
        JsonNode signup = platform.signup("none@example.com", PASSWORD);
        var keys = platform.platform().keyspace();
        platform.platform().database().run(tr -> {
            tr.clear(keys.workspace(signup.at("/user/tenantId").asText(), signup.at("/user/id").asText()));
            return null;
        });
        Reply r = platform.get("/v1/workspaces/me", signup.get("accessToken").asText());
        assertEquals(404, r.status());
        assertEquals("no_workspace", r.code());
        assertEquals(401, platform.get("/v1/workspaces/me", null).status());
    }
}
