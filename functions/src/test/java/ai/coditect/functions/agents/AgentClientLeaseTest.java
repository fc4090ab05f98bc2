package ai.coditect.functions.agents;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.agents.AgentClient;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java client's background work against the real registry, whose lease and claim last 3 s here so that the
 * client renews and heartbeats every second: renewals keep the agent alive past its first lease, a renewal refused
 * with 409 registers the agent again, and heartbeats keep a long handler's claim, even when the registry's clock
 * and the agent's differ.
 */
class AgentClientLeaseTest {
    private TestPlatform platform;
    private String userToken;
    private String agentToken;

    @BeforeEach
    void start() {
        // the registry's clock is an hour ahead of the agent's machine: the client must time its renewals and
        // heartbeats by the registry's answers alone
        platform = TestPlatform.startWithSettings(new TestClock(Instant.now().plus(Duration.ofHours(1))),
                Map.of("CODITECT_AGENT_LEASE", "3s", "CODITECT_TASK_CLAIM_TIMEOUT", "3s"));
        JsonNode ada = platform.signup("ada@example.com", "correct horse battery staple");
        userToken = ada.get("accessToken").asText();
        agentToken = workspaceToken(ada.at("/user/tenantId").asText());
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    /** A running workspace of {@code tid} with a fresh agent token, as provisioning leaves it. */
    private String workspaceToken(String tid) {
        return platform.runningWorkspace(tid).agentToken();
    }

    private static AgentCard card() {
        return AgentCard.of("coder", "http://127.0.0.1:7070/a2a",
                List.of(new AgentCard.Skill("code", "code", "writes code", List.of("test"))));
    }

    private JsonNode agents() {
        Reply r = platform.get("/v1/agents", userToken);
        assertEquals(200, r.status(), r.body());
        return r.json().get("agents");
    }

    @Test
    void theClientRenewsItsLeaseInTheBackgroundAndRegistersAgainAfterA409() throws Exception {
        TestClock clock = platform.clock();
        try (AgentClient agent = AgentClient.connect(URI.create(platform.url("/")), agentToken)) {
            AgentClient.Registration first = agent.register(card());
            assertEquals(3, first.leaseSeconds());

            clock.advance(Duration.ofSeconds(2));
            Instant renewedUntil = clock.instant().plusSeconds(3);
            Eventually.holds(Duration.ofSeconds(20), () -> agent.registration().leaseExpiresAt().equals(renewedUntil),
                    "the client renews without being asked");
            assertEquals(renewedUntil, Instant.parse(agents().at("/0/leaseExpiresAt").asText()));
            clock.advance(Duration.ofSeconds(2));
            assertEquals(1, agents().size(), "alive past the end of its first lease");

            // the same agent id registers elsewhere (a restart): the client's epoch is stale
            Reply elsewhere = platform.post("/v1/agents", Json.string(Map.of("card", card(),
                    "agentId", first.agentId())), agentToken);
            assertEquals(2, elsewhere.json().get("epoch").asInt(), elsewhere.body());
            Eventually.holds(Duration.ofSeconds(20), () -> agent.registration().epoch() == 3,
                    () -> "the refused renewal registers again; epoch " + agent.registration().epoch());
            assertEquals(first.agentId(), agent.registration().agentId(), "the same agent, at a new epoch");
            Reply fenced = platform.send(platform.builder("/v1/agents/" + first.agentId() + "/lease", agentToken)
                    .header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"epoch\":2}")));
            assertEquals("stale_epoch", fenced.code());

            // a pause longer than the lease: the renewal is refused as expired, and the client registers again
            clock.advance(Duration.ofSeconds(10));
            Eventually.holds(Duration.ofSeconds(20), () -> agent.registration().epoch() == 4,
                    () -> "registered again after the lease ran out; epoch " + agent.registration().epoch());
            String taskId = platform.post("/v1/tasks", Json.string(Map.of("skill", "code")), userToken).json()
                    .at("/task/id").asText();
            assertEquals(taskId, agent.claim(List.of("code"), Duration.ZERO).orElseThrow().id());
            assertTrue(agent.complete(taskId, Map.of("ok", true)), "the new registration works");
        }
    }

    @Test
    void theClaimLoopHeartbeatsWhileAHandlerWorksLongerThanTheClaim() throws Exception {
        TestClock clock = platform.clock();
        AgentClient agent = AgentClient.connect(URI.create(platform.url("/")), agentToken);
        agent.register(card());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread loop = new Thread(() -> agent.run(List.of("code"), task -> {
            started.countDown();
            assertTrue(finish.await(60, TimeUnit.SECONDS));
            return Map.of("done", true);
        }), "agent-loop");
        loop.start();
        try {
            String taskId = platform.post("/v1/tasks", Json.string(Map.of("skill", "code")), userToken).json()
                    .at("/task/id").asText();
            assertTrue(started.await(30, TimeUnit.SECONDS), "the loop claimed the task");

            // the registry's clock runs on past the claim's first end; only heartbeats can keep the claim
            for (int step = 0; step < 3; step++) {
                clock.advance(Duration.ofSeconds(2));
                Instant extendedTo = clock.instant().plusSeconds(3);
                Eventually.holds(Duration.ofSeconds(20), () -> Instant.parse(platform.get("/v1/tasks/" + taskId,
                        userToken).json().at("/task/claim/expiresAt").asText()).equals(extendedTo),
                        "a heartbeat extends the claim while the handler works");
            }
            finish.countDown();
            Eventually.holds(Duration.ofSeconds(20), () -> platform.get("/v1/tasks/" + taskId, userToken).json()
                    .at("/task/state").asText().equals("completed"), "completed by the agent that held it all along");
            assertEquals(0, platform.get("/v1/tasks/" + taskId, userToken).json().at("/task/attempts").asInt());
        } finally {
            finish.countDown();
            agent.close();
            loop.join(30_000);
        }
        assertFalse(loop.isAlive());
    }
}
