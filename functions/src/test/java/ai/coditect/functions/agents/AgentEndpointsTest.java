package ai.coditect.functions.agents;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.agents.AgentClient;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.Eventually;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry over real HTTP through the Functions Framework invoker: agents with their workspace agent token and
 * the shared Java client, users with their bearer token, long-polls woken by watches, and refusals as
 * problem+json that change nothing.
 */
class AgentEndpointsTest {
    private static final String PASSWORD = "correct horse battery staple";
    private TestPlatform platform;
    private String userToken;
    private String tenantId;
    private String userId;
    private String agentToken;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    /** The workspace id of each agent token {@link #workspaceToken} made. */
    private final Map<String, String> workspaceOf = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        platform = TestPlatform.start();
        platform.bus().subscribe(Topic.AGENT_EVENTS, "test", (event, attempt) -> events.add(event));
        JsonNode ada = platform.signup("ada@example.com", PASSWORD);
        userToken = ada.get("accessToken").asText();
        tenantId = ada.at("/user/tenantId").asText();
        userId = ada.at("/user/id").asText();
        agentToken = workspaceToken(tenantId);
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    /** A running workspace of {@code tid} with a fresh agent token, as provisioning leaves it. */
    private String workspaceToken(String tid) {
        TestPlatform.AgentWorkspace ws = platform.runningWorkspace(tid);
        workspaceOf.put(ws.agentToken(), ws.workspaceId());
        return ws.agentToken();
    }

    private static AgentCard card(String name, String... skills) {
        return AgentCard.of(name, "http://127.0.0.1:7070/a2a", java.util.Arrays.stream(skills)
                .map(s -> new AgentCard.Skill(s, s, "does " + s, List.of("test"))).toList());
    }

    private AgentClient client(String token) {
        return AgentClient.connect(URI.create(platform.url("/")), token);
    }

    private Reply post(String path, Object body, String token) {
        return platform.post(path, Json.string(body), token);
    }

    private Reply put(String path, Object body, String token) {
        return platform.send(platform.builder(path, token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.string(body))));
    }

    @Test
    void anAgentRegistersIsDiscoveredAndCompletesAUsersTask() throws Exception {
        try (AgentClient agent = client(agentToken)) {
            AgentClient.Registration reg = agent.register(card("coder", "code", "review"));
            assertEquals(1, reg.epoch());
            assertEquals(30, reg.leaseSeconds());

            Reply found = platform.get("/v1/agents?skill=review", userToken);
            assertEquals(200, found.status(), found.body());
            assertEquals(reg.agentId(), found.json().at("/agents/0/id").asText());
            assertEquals(0, platform.get("/v1/agents?skill=deploy", userToken).json().get("agents").size());
            Reply cardReply = platform.get("/v1/agents/" + reg.agentId() + "/card", agentToken);
            assertEquals("coder", cardReply.json().get("name").asText());
            assertEquals("review", cardReply.json().at("/skills/1/id").asText());

            CompletableFuture<Optional<AgentClient.ClaimedTask>> waiting = CompletableFuture.supplyAsync(() ->
                    agent.claim(List.of("code"), Duration.ofSeconds(25)));
            // the task is posted only once the claim found nothing and waits on its watches, so only a watch can
            // hand it over before the claim's 25 s are up
            assertTrue(Eventually.holds(Duration.ofSeconds(15), () -> platform.get("/metrics", null).body()
                    .contains("coditect_task_claims_waiting 1")), "the claim waits");
            Reply created = post("/v1/tasks", Map.of("skill", "code", "input", Map.of("file", "a.java"),
                    "priority", 7), userToken);
            assertEquals(201, created.status(), created.body());
            String taskId = created.json().at("/task/id").asText();
            AgentClient.ClaimedTask claimed = waiting.get(15, TimeUnit.SECONDS).orElseThrow();
            assertEquals(taskId, claimed.id(), "the long-poll is woken by the new task");
            assertTrue(platform.get("/metrics", null).body().contains("coditect_task_claims_waiting 0"));
            assertEquals("a.java", claimed.input().get("file").asText());

            assertTrue(agent.heartbeat(taskId));
            assertTrue(agent.complete(taskId, Map.of("lines", 42)));
            assertFalse(agent.complete(taskId, Map.of("lines", 43)), "a second completion is refused");
            assertTrue(platform.get("/metrics", null).body().contains("coditect_task_claims_total 1"),
                    "claims are exported");

            JsonNode task = platform.get("/v1/tasks/" + taskId, userToken).json().get("task");
            assertEquals("completed", task.get("state").asText());
            assertEquals(42, task.at("/output/lines").asInt());
            assertEquals(List.of("submitted", "working", "completed"), task.get("history").findValuesAsText("state"));
            assertTrue(Eventually.holds(Duration.ofSeconds(10), () -> events.stream().map(Event::type).toList()
                    .containsAll(List.of("agent.registered", "task.submitted", "task.completed"))), events.toString());
        }
        assertEquals(0, platform.get("/v1/agents", userToken).json().get("agents").size(),
                "closing the client deregisters the agent");
    }

    @Test
    void theClientsClaimLoopWorksOffTasksAndRetriesWhatItsHandlerFails() throws Exception {
        AgentClient agent = client(agentToken);
        agent.register(card("looper", "code"));
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread loop = new Thread(() -> agent.run(List.of("code"), task -> {
            if (seen.add(task.id()) && task.input().get("n").asInt() % 5 == 0) {
                throw new IllegalStateException("flaky on the first try");
            }
            return Map.of("double", task.input().get("n").asInt() * 2);
        }), "agent-loop");
        loop.start();
        List<String> ids = new java.util.ArrayList<>();
        for (int n = 0; n < 20; n++) {
            ids.add(post("/v1/tasks", Map.of("skill", "code", "input", Map.of("n", n)), userToken).json()
                    .at("/task/id").asText());
        }
        java.util.function.Function<String, JsonNode> taskOf = id -> platform.get("/v1/tasks/" + id, userToken).json()
                .get("task");
        assertTrue(Eventually.holds(Duration.ofSeconds(60), () -> ids.stream().map(taskOf).allMatch(t ->
                t.get("state").asText().equals("completed") || (t.get("state").asText().equals("submitted")
                        && t.get("attempts").asInt() == 1))), "done, or backing off after a failed attempt");
        platform.clock().advance(Duration.ofSeconds(2)); // the backoff of a first failure is 1 s
        assertTrue(Eventually.holds(Duration.ofSeconds(60), () -> ids.stream().map(taskOf)
                .allMatch(t -> t.get("state").asText().equals("completed"))), "every task completed");
        for (int n = 0; n < 20; n++) {
            JsonNode task = platform.get("/v1/tasks/" + ids.get(n), userToken).json().get("task");
            assertEquals(n * 2, task.at("/output/double").asInt());
            assertEquals(n % 5 == 0 ? 1 : 0, task.get("attempts").asInt(), "failed attempts are counted");
        }
        agent.close();
        loop.join(30_000);
        assertFalse(loop.isAlive(), "closing the client ends its loop");
    }

    @Test
    void theCleanupTickEndsExpiredLeasesAndOffersTheirTasksAgain() throws Exception {
        Reply reg = post("/v1/agents", Map.of("card", card("mortal", "code")), agentToken);
        String agentId = reg.json().get("agentId").asText();
        String taskId = post("/v1/tasks", Map.of("skill", "code"), userToken).json().at("/task/id").asText();
        assertEquals(200, post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1, "skills", List.of("code")),
                agentToken).status());

        platform.clock().advance(Duration.ofSeconds(31));
        assertEquals(0, platform.get("/v1/agents", userToken).json().get("agents").size(), "invisible at once");
        assertEquals("working", platform.get("/v1/tasks/" + taskId, userToken).json().at("/task/state").asText(),
                "nothing reaped yet: no tick and no claim");
        platform.platform().events().publish(Event.of(ai.coditect.shared.events.EventType.CLEANUP_TICK, null, null,
                Map.of(), platform.clock())).get(5, TimeUnit.SECONDS);
        assertTrue(Eventually.holds(Duration.ofSeconds(20), () -> platform.get("/v1/tasks/" + taskId, userToken)
                .json().at("/task/state").asText().equals("submitted")), "the tick offered the task again");
        assertTrue(Eventually.holds(Duration.ofSeconds(10), () -> events.stream()
                .anyMatch(e -> e.type().equals("agent.lease.expired"))));
        Reply late = post("/v1/tasks/" + taskId + ":complete", Map.of("agentId", agentId, "epoch", 1), agentToken);
        assertEquals(409, late.status());
        assertEquals("lease_expired", late.code());
    }

    @Test
    void aLongPollWithNothingToClaimAnswers204() {
        try (AgentClient agent = client(agentToken)) {
            agent.register(card("idle", "code"));
            long t0 = System.nanoTime();
            assertTrue(agent.claim(List.of("code"), Duration.ofMillis(300)).isEmpty());
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos(), "it waited");
        }
    }

    @Test
    void aStaleEpochIsRefusedWith409AndChangesNothing() {
        Reply first = post("/v1/agents", Map.of("card", card("coder", "code")), agentToken);
        assertEquals(201, first.status(), first.body());
        String agentId = first.json().get("agentId").asText();
        String taskId = post("/v1/tasks", Map.of("skill", "code"), userToken).json().at("/task/id").asText();
        Reply claim = post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1, "skills", List.of("code")),
                agentToken);
        assertEquals(200, claim.status(), claim.body());

        Reply again = post("/v1/agents", Map.of("card", card("coder", "code"), "agentId", agentId), agentToken);
        assertEquals(2, again.json().get("epoch").asInt());
        Reply stale = post("/v1/tasks/" + taskId + ":complete", Map.of("agentId", agentId, "epoch", 1,
                "output", Map.of()), agentToken);
        assertEquals(409, stale.status());
        assertEquals("stale_epoch", stale.code());
        assertEquals("application/problem+json", stale.header("Content-Type"));
        assertEquals(409, put("/v1/agents/" + agentId + "/lease", Map.of("epoch", 1), agentToken).status());
        assertEquals("submitted", platform.get("/v1/tasks/" + taskId, userToken).json().at("/task/state").asText(),
                "the new registration released what the old one held");
        assertEquals(200, put("/v1/agents/" + agentId + "/lease", Map.of("epoch", 2), agentToken).status());
    }

    @Test
    void anotherTenantSeesNothingOfThisOne() {
        Reply reg = post("/v1/agents", Map.of("card", card("coder", "code")), agentToken);
        String agentId = reg.json().get("agentId").asText();
        String taskId = post("/v1/tasks", Map.of("skill", "code"), userToken).json().at("/task/id").asText();

        JsonNode bob = platform.signup("bob@example.com", PASSWORD);
        String bobToken = bob.get("accessToken").asText();
        String bobAgent = workspaceToken(bob.at("/user/tenantId").asText());
        assertEquals("task_not_found", platform.get("/v1/tasks/" + taskId, bobToken).code());
        assertEquals(404, platform.get("/v1/tasks/" + taskId, bobToken).status());
        assertEquals("task_not_found", post("/v1/tasks/" + taskId + ":cancel", Map.of(), bobToken).code());
        assertEquals(404, platform.get("/v1/agents/" + agentId + "/card", bobAgent).status());
        assertEquals(0, platform.get("/v1/agents", bobToken).json().get("agents").size());
        assertEquals(0, platform.get("/v1/tasks", bobToken).json().get("tasks").size());
        Reply hijack = post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1, "skills", List.of("code")),
                bobAgent);
        assertEquals(404, hijack.status());
        assertEquals("agent_not_found", hijack.code());
        assertEquals(404, platform.delete("/v1/agents/" + agentId, bobToken).status());
        // a second workspace of the same tenant cannot act as this agent either
        Reply sibling = put("/v1/agents/" + agentId + "/lease", Map.of("epoch", 1), workspaceToken(tenantId));
        assertEquals(404, sibling.status());
        assertEquals("submitted", platform.get("/v1/tasks/" + taskId, userToken).json().at("/task/state").asText());
        assertEquals(1, platform.get("/v1/agents", userToken).json().get("agents").size());
    }

    @Test
    void usersCreateListAndCancelTasksButDoNotActAsAgents() {
        Reply created = platform.send(platform.builder("/v1/tasks", userToken)
                .header("Content-Type", "application/json").header("Idempotency-Key", "order-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"skill\":\"code\",\"input\":{\"a\":1}}")));
        assertEquals(201, created.status());
        Reply replay = platform.send(platform.builder("/v1/tasks", userToken)
                .header("Content-Type", "application/json").header("Idempotency-Key", "order-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"skill\":\"code\",\"input\":{\"a\":1}}")));
        assertEquals(200, replay.status());
        assertEquals(created.json().at("/task/id"), replay.json().at("/task/id"));
        String taskId = created.json().at("/task/id").asText();
        assertEquals(1, platform.get("/v1/tasks?state=submitted", userToken).json().get("tasks").size());
        Reply canceled = platform.post("/v1/tasks/" + taskId + ":cancel", null, userToken);
        assertEquals(200, canceled.status(), canceled.body());
        assertEquals("canceled", canceled.json().at("/task/state").asText());
        assertEquals(409, platform.post("/v1/tasks/" + taskId + ":cancel", null, userToken).status());

        Reply register = post("/v1/agents", Map.of("card", card("me", "code")), userToken);
        assertEquals(403, register.status());
        assertEquals("agent_token_required", register.code());
    }

    @Test
    void discoveryByWorkspaceShowsOnlyThatWorkspacesAgents() {
        String otherWorkspace = workspaceToken(tenantId);
        String here = post("/v1/agents", Map.of("card", card("here", "code", "review")), agentToken).json()
                .get("agentId").asText();
        String there = post("/v1/agents", Map.of("card", card("there", "code")), otherWorkspace).json()
                .get("agentId").asText();
        java.util.function.Function<String, List<String>> found = query -> {
            Reply r = platform.get("/v1/agents" + query, userToken);
            assertEquals(200, r.status(), r.body());
            List<String> ids = new java.util.ArrayList<>();
            r.json().get("agents").forEach(a -> ids.add(a.get("id").asText()));
            return ids.stream().sorted().toList();
        };
        assertEquals(List.of(here, there).stream().sorted().toList(), found.apply("?skill=code"));
        assertEquals(List.of(here), found.apply("?workspaceId=" + workspaceOf.get(agentToken)));
        assertEquals(List.of(there), found.apply("?workspaceId=" + workspaceOf.get(otherWorkspace) + "&skill=code"));
        assertEquals(List.of(), found.apply("?workspaceId=" + workspaceOf.get(otherWorkspace) + "&skill=review"));
        assertEquals(List.of(), found.apply("?workspaceId=" + Ids.newId()));
        Reply malformed = platform.get("/v1/agents?workspaceId=ws-1", userToken);
        assertEquals(400, malformed.status());
        assertEquals("malformed_id", malformed.code());
    }

    @Test
    void anAgentAsksForInputAndGoesBackToWorkOnItsHeartbeats() {
        String agentId = post("/v1/agents", Map.of("card", card("asker", "code")), agentToken).json()
                .get("agentId").asText();
        String taskId = post("/v1/tasks", Map.of("skill", "code"), userToken).json().at("/task/id").asText();
        assertEquals(200, post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1, "skills", List.of("code")),
                agentToken).status());
        String heartbeat = "/v1/tasks/" + taskId + ":heartbeat";

        Reply asking = post(heartbeat, Map.of("agentId", agentId, "epoch", 1, "state", "input-required",
                "message", "which branch?"), agentToken);
        assertEquals(200, asking.status(), asking.body());
        assertEquals("input-required", asking.json().at("/task/state").asText());
        assertEquals(List.of(taskId), platform.get("/v1/tasks?state=input-required", userToken).json().get("tasks")
                .findValuesAsText("id"));
        assertEquals("input-required", post(heartbeat, Map.of("agentId", agentId, "epoch", 1), agentToken).json()
                .at("/task/state").asText(), "a heartbeat without a state keeps it");
        Reply finished = post(heartbeat, Map.of("agentId", agentId, "epoch", 1, "state", "completed"), agentToken);
        assertEquals(400, finished.status(), "a heartbeat does not finish a task");
        assertEquals("invalid_request", finished.code());
        Reply resumed = post(heartbeat, Map.of("agentId", agentId, "epoch", 1, "state", "working",
                "message", "main"), agentToken);
        assertEquals("working", resumed.json().at("/task/state").asText());
        assertEquals(200, post("/v1/tasks/" + taskId + ":complete", Map.of("agentId", agentId, "epoch", 1),
                agentToken).status());

        JsonNode history = platform.get("/v1/tasks/" + taskId, userToken).json().at("/task/history");
        assertEquals(List.of("submitted", "working", "input-required", "working", "completed"),
                history.findValuesAsText("state"));
        assertEquals("which branch?", history.get(2).get("note").asText());
        assertEquals(agentId, history.get(2).get("agentId").asText());
    }

    @Test
    void aFilteredListingThatSkipsMoreThanOneReadStillLeadsToEveryMatch() {
        Principal.User ada = new Principal.User(tenantId, userId);
        TaskBoard board = platform.platform().agents().board();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < TaskBoard.LIST_SCAN + 1; i++) {
            ids.add(board.create(ada, new TaskBoard.NewTask("code", null, 5, null), null).task().id());
        }
        String lastInIdOrder = ids.stream().max(String::compareTo).orElseThrow();
        assertEquals(200, platform.post("/v1/tasks/" + lastInIdOrder + ":cancel", null, userToken).status());

        List<String> found = new java.util.ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            Reply page = platform.get("/v1/tasks?state=canceled&skill=code&limit=10"
                    + (next == null ? "" : "&after=" + next), userToken);
            assertEquals(200, page.status(), page.body());
            page.json().get("tasks").forEach(t -> found.add(t.get("id").asText()));
            next = page.json().hasNonNull("next") ? page.json().get("next").asText() : null;
            pages++;
        } while (next != null && pages < 10);
        assertEquals(List.of(lastInIdOrder), found, "the only canceled task lies past the first read");
        assertEquals(2, pages, "an empty first page points on; the page with the last task ends the listing");
    }

    @Test
    void badInputIsRefusedClearlyAndChangesNothing() {
        String agentId = post("/v1/agents", Map.of("card", card("coder", "code")), agentToken).json()
                .get("agentId").asText();
        String taskId = post("/v1/tasks", Map.of("skill", "code"), userToken).json().at("/task/id").asText();
        String big = "x".repeat(40 * 1024);
        Map<String, Object> hugeCard = Map.of("name", "big", "url", "http://127.0.0.1:1/", "description", "d",
                "skills", java.util.stream.IntStream.range(0, 30).mapToObj(i -> Map.of("id", "s" + i,
                        "name", "x".repeat(100), "description", "y".repeat(500))).toList());
        record Case(String what, Reply reply, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case("claim of a skill not on the card", post("/v1/tasks:claim", Map.of("agentId", agentId,
                        "epoch", 1, "skills", List.of("deploy")), agentToken), 400, "unknown_skill"),
                new Case("claim of a malformed skill", post("/v1/tasks:claim", Map.of("agentId", agentId,
                        "epoch", 1, "skills", List.of("no spaces")), agentToken), 400, "unknown_skill"),
                new Case("oversized card", post("/v1/agents", Map.of("card", hugeCard), agentToken), 413,
                        "payload_too_large"),
                new Case("card without skills", post("/v1/agents", Map.of("card", Map.of("name", "x",
                        "url", "http://127.0.0.1:1/")), agentToken), 400, "invalid_card"),
                new Case("card with a javascript: url", post("/v1/agents", Map.of("card", Map.of("name", "x",
                        "url", "javascript:alert(1)", "skills", List.of(Map.of("id", "a", "name", "a")))),
                        agentToken), 400, "invalid_card"),
                new Case("card of the wrong shape", post("/v1/agents", Map.of("card", Map.of("name", List.of(1))),
                        agentToken), 400, "invalid_card"),
                new Case("oversized input", post("/v1/tasks", Map.of("skill", "code", "input",
                        Map.of("text", "y".repeat(33 * 1024))), userToken), 413, "payload_too_large"),
                new Case("body over 64 KiB", post("/v1/tasks", Map.of("skill", "code", "input", big + big),
                        userToken), 413, "payload_too_large"),
                new Case("priority out of range", post("/v1/tasks", Map.of("skill", "code", "priority", 11),
                        userToken), 400, "invalid_task"),
                new Case("task without skill", post("/v1/tasks", Map.of("input", 1), userToken), 400,
                        "invalid_task"),
                new Case("malformed task id", platform.get("/v1/tasks/not-an-id", userToken), 400, "malformed_id"),
                new Case("malformed agent id", put("/v1/agents/NOT-AN-ID/lease", Map.of("epoch", 1), agentToken), 400,
                        "malformed_id"),
                new Case("unknown task action", post("/v1/tasks/" + taskId + ":explode", Map.of(), agentToken),
                        404, "not_found"),
                new Case("epoch missing", post("/v1/tasks/" + taskId + ":complete", Map.of("agentId", agentId),
                        agentToken), 400, "invalid_request"),
                new Case("epoch not a number", put("/v1/agents/" + agentId + "/lease", Map.of("epoch", "1"),
                        agentToken), 400, "invalid_request"),
                new Case("wait too long", post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1,
                        "skills", List.of("code"), "waitSeconds", 26), agentToken), 400, "invalid_request"),
                new Case("unknown agent", put("/v1/agents/" + Ids.newId() + "/lease", Map.of("epoch", 1),
                        agentToken), 404, "agent_not_found"),
                new Case("forged agent token", post("/v1/tasks:claim", Map.of("agentId", agentId, "epoch", 1,
                        "skills", List.of("code")), agentToken.substring(0, agentToken.length() - 2) + "xx"), 401,
                        "agent_token_invalid"),
                new Case("no token", post("/v1/tasks", Map.of("skill", "code"), null), 401, "token_invalid"),
                new Case("not JSON", platform.post("/v1/tasks", "{", userToken), 400, "malformed_json"));
        for (Case c : cases) {
            assertEquals(c.status(), c.reply().status(), c.what() + ": " + c.reply().body());
            assertEquals(c.code(), c.reply().code(), c.what());
            assertEquals("application/problem+json", c.reply().header("Content-Type"), c.what());
        }
        assertEquals(1, platform.get("/v1/tasks", userToken).json().get("tasks").size(), "no task was added");
        assertEquals("submitted", platform.get("/v1/tasks/" + taskId, userToken).json().at("/task/state").asText());
        JsonNode agents = platform.get("/v1/agents", userToken).json().get("agents");
        assertEquals(1, agents.size(), "no agent was added");
        assertEquals("coder", agents.at("/0/name").asText());
    }
}
