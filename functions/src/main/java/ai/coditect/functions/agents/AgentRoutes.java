package ai.coditect.functions.agents;

import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.JsonBody;
import ai.coditect.functions.http.Routes;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** The {@code /v1/agents…} and {@code /v1/tasks…} routes of the HTTP contract, translated to and from the registry. */
final class AgentRoutes {
    /** The verbs of {@code POST /v1/tasks/{id}:verb}. */
    static final List<String> TASK_ACTIONS = List.of("heartbeat", "complete", "fail", "handoff", "cancel");

    private final AgentRegistry registry;
    private final TaskBoard board;
    private final TaskClaims claims;
    private final Callers callers;
    private final AgentPolicy policy;
    private final Routes routes;

    AgentRoutes(AgentRegistry registry, TaskBoard board, TaskClaims claims, Callers callers, AgentPolicy policy) {
        this.registry = registry;
        this.board = board;
        this.claims = claims;
        this.callers = callers;
        this.policy = policy;
        this.routes = Routes.builder()
                .post("/v1/agents", this::register)
                .get("/v1/agents", this::discover)
                .get("/v1/agents/{id}/card", this::card)
                .add("PUT", "/v1/agents/{id}/lease", this::renew)
                .delete("/v1/agents/{id}", this::deregister)
                .post("/v1/tasks", this::create)
                .get("/v1/tasks", this::list)
                .post("/v1/tasks:claim", this::claim)
                .get("/v1/tasks/{ref}", this::get)
                .post("/v1/tasks/{ref}", this::act)
                .build();
    }

    Routes routes() {
        return routes;
    }

    /** Every operation as the API document names it: {@code POST /v1/tasks/{id}:complete} and so on. */
    List<String> operations() {
        List<String> out = new ArrayList<>();
        for (String endpoint : routes.endpoints()) {
            String op = endpoint.replace("{ref}", "{id}");
            if (op.equals("POST /v1/tasks/{id}")) {
                TASK_ACTIONS.forEach(verb -> out.add(op + ":" + verb));
            } else {
                out.add(op);
            }
        }
        return out;
    }

    // ---- agents ----

    private void register(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        JsonBody body = call.jsonBody();
        serve(call, () -> {
            JsonNode cardNode = body.field("card");
            if (cardNode == null || !cardNode.isObject()) {
                throw refused(AgentsException.Reason.INVALID_CARD, "Send the agent card as the object 'card'.");
            }
            AgentCard card;
            try {
                card = Json.mapper().treeToValue(cardNode, AgentCard.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw refused(AgentsException.Reason.INVALID_CARD, "The agent card does not have the shape of an "
                        + "A2A Agent Card (name, url, skills[{id, name, tags}], …).");
            }
            String agentId = body.optionalString("agentId");
            Limits.card(card);
            Agent agent = registry.register(p, card, agentId == null ? null : Limits.id(agentId, "agent"));
            Map<String, Object> out = lease(agent);
            out.put("agent", agent(agent));
            call.json(201, out);
        });
    }

    private void renew(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        JsonBody body = call.jsonBody();
        serve(call, () -> {
            String id = Limits.id(call.pathParameter("id"), "agent");
            Agent agent = registry.renew(p, id, epoch(body));
            call.json(200, lease(agent));
        });
    }

    private void deregister(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        serve(call, () -> {
            String id = Limits.id(call.pathParameter("id"), "agent");
            Long epoch = call.query("epoch").map(AgentRoutes::parseEpoch).orElse(null);
            registry.deregister(p, id, epoch);
            call.noContent();
        });
    }

    private void discover(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        serve(call, () -> {
            String skill = call.query("skill").map(s -> Limits.skill(s, AgentsException.Reason.INVALID_REQUEST))
                    .orElse(null);
            String workspaceId = call.query("workspaceId").map(w -> Limits.id(w, "workspace")).orElse(null);
            int limit = limit(call);
            List<Map<String, Object>> out = registry.discover(p, skill, workspaceId, limit).stream()
                    .map(AgentRoutes::agent).toList();
            call.json(200, Map.of("agents", out));
        });
    }

    private void card(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        serve(call, () -> {
            Agent agent = registry.get(p, Limits.id(call.pathParameter("id"), "agent"));
            call.cacheControl("private, max-age=5");
            call.json(200, agent.card());
        });
    }

    // ---- tasks ----

    private void create(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        JsonBody body = call.jsonBody();
        serve(call, () -> {
            String skill = Limits.skill(body.requiredString("skill", "invalid_task"),
                    AgentsException.Reason.INVALID_TASK);
            JsonNode input = Limits.payload(body.field("input"), Limits.MAX_INPUT_BYTES, "input");
            int priority = integer(body.field("priority"), "priority", 0, 9, 5);
            JsonNode attempts = body.field("maxAttempts");
            Integer maxAttempts = attempts == null ? null : integer(attempts, "maxAttempts", 1, 100, 0);
            String key = Limits.idempotencyKey(call.header("Idempotency-Key").orElse(null));
            TaskBoard.Created created = board.create(p, new TaskBoard.NewTask(skill, input, priority, maxAttempts),
                    key);
            if (created.replayed()) {
                call.header("Idempotent-Replayed", "true");
            }
            call.header("Location", "/v1/tasks/" + created.task().id());
            call.json(created.replayed() ? 200 : 201, Map.of("task", task(created.task())));
        });
    }

    private void list(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        serve(call, () -> {
            TaskState state = call.query("state").map(s -> {
                TaskState t = TaskState.fromWireName(s);
                if (t == null) {
                    throw refused(AgentsException.Reason.INVALID_REQUEST, "state is one of submitted, working, "
                            + "input-required, completed, failed, canceled, rejected.");
                }
                return t;
            }).orElse(null);
            String skill = call.query("skill").map(s -> Limits.skill(s, AgentsException.Reason.INVALID_REQUEST))
                    .orElse(null);
            String after = call.query("after").map(a -> Limits.id(a, "task")).orElse(null);
            int limit = limit(call);
            TaskBoard.Page page = board.list(p, state, skill, after, limit);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tasks", page.tasks().stream().map(AgentRoutes::task).toList());
            if (page.next() != null) {
                out.put("next", page.next());
            }
            call.json(200, out);
        });
    }

    private void claim(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        JsonBody body = call.jsonBody();
        serve(call, () -> {
            String agentId = Limits.id(body.requiredString("agentId", "invalid_request"), "agent");
            long epoch = epoch(body);
            List<String> skills = skills(body.field("skills"));
            JsonNode waitNode = body.field("waitSeconds");
            double waitSeconds = 0;
            if (waitNode != null) {
                long max = policy.maxWait().toSeconds();
                if (!waitNode.isNumber() || waitNode.asDouble() < 0 || waitNode.asDouble() > max) {
                    throw refused(AgentsException.Reason.INVALID_REQUEST, "waitSeconds is 0 to " + max + ".");
                }
                waitSeconds = waitNode.asDouble();
            }
            Task task = claims.claim(p, agentId, epoch, skills, Duration.ofMillis((long) (waitSeconds * 1000)));
            if (task == null) {
                call.noContent();
            } else {
                call.json(200, Map.of("task", task(task)));
            }
        });
    }

    private void get(HttpCall call) throws Exception {
        Principal p = callers.of(call);
        serve(call, () -> {
            TaskBoard.View view = board.get(p, Limits.id(call.pathParameter("ref"), "task"));
            Map<String, Object> out = task(view.task());
            out.put("history", view.history());
            call.json(200, Map.of("task", out));
        });
    }

    /** {@code POST /v1/tasks/{id}:verb}. */
    private void act(HttpCall call) throws Exception {
        String ref = call.pathParameter("ref");
        int colon = ref.indexOf(':');
        String verb = colon < 0 ? "" : ref.substring(colon + 1);
        if (!TASK_ACTIONS.contains(verb)) {
            throw new ApiException(404, "not_found", "There is no " + call.path()
                    + "; task actions are :heartbeat, :complete, :fail, :handoff and :cancel.");
        }
        Principal p = callers.of(call);
        JsonBody body = verb.equals("cancel") && call.header("Content-Type").isEmpty() ? null : call.jsonBody();
        serve(call, () -> {
            String id = Limits.id(ref.substring(0, colon), "task");
            Task task = switch (verb) {
                case "cancel" -> board.cancel(p, id, body == null ? null
                        : Limits.text(body.optionalString("reason"), "reason"));
                case "heartbeat" -> {
                    String state = body.optionalString("state");
                    TaskState next = state == null ? null : TaskState.fromWireName(state);
                    if (state != null && (next == null || !next.claimed())) {
                        throw refused(AgentsException.Reason.INVALID_REQUEST,
                                "A heartbeat's state is working or input-required.");
                    }
                    yield board.heartbeat(p, id, agentId(body), epoch(body), next,
                            Limits.text(body.optionalString("message"), "message"));
                }
                case "complete" -> board.complete(p, id, agentId(body), epoch(body),
                        Limits.payload(body.field("output"), Limits.MAX_OUTPUT_BYTES, "output"));
                case "fail" -> board.fail(p, id, agentId(body), epoch(body),
                        Limits.text(body.optionalString("error"), "error"), bool(body.field("retry"), "retry", true),
                        bool(body.field("reject"), "reject", false));
                default -> {
                    String toSkill = body.optionalString("toSkill");
                    String toAgent = body.optionalString("toAgentId");
                    if (toSkill == null && toAgent == null) {
                        throw refused(AgentsException.Reason.INVALID_REQUEST,
                                "A handoff names 'toSkill', 'toAgentId' or both.");
                    }
                    yield board.handoff(p, id, agentId(body), epoch(body),
                            toSkill == null ? null : Limits.skill(toSkill, AgentsException.Reason.INVALID_REQUEST),
                            toAgent == null ? null : Limits.id(toAgent, "agent"),
                            Limits.text(body.optionalString("note"), "note"));
                }
            };
            call.json(200, Map.of("task", task(task)));
        });
    }

    // ---- bodies ----

    private Map<String, Object> lease(Agent agent) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agentId", agent.id());
        out.put("epoch", agent.epoch());
        out.put("leaseExpiresAt", agent.leaseExpiresAt());
        out.put("leaseSeconds", policy.lease().toSeconds());
        return out;
    }

    private static Map<String, Object> agent(Agent agent) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", agent.id());
        out.put("workspaceId", agent.workspaceId());
        out.put("name", agent.card().name());
        out.put("skills", agent.card().skillIds());
        out.put("registeredAt", agent.registeredAt());
        out.put("leaseExpiresAt", agent.leaseExpiresAt());
        out.put("card", agent.card());
        return out;
    }

    private static Map<String, Object> task(Task t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id());
        out.put("skill", t.skill());
        out.put("state", t.state().wireName());
        out.put("priority", t.priority());
        out.put("input", t.input());
        out.put("output", t.output());
        out.put("error", t.error());
        out.put("attempts", t.attempts());
        out.put("maxAttempts", t.maxAttempts());
        if (t.claim() != null) {
            out.put("claim", t.claim());
        }
        out.put("targetAgentId", t.targetAgentId());
        out.put("notBefore", t.notBefore());
        out.put("createdAt", t.createdAt());
        out.put("updatedAt", t.updatedAt());
        return out;
    }

    // ---- fields ----

    private static String agentId(JsonBody body) {
        return Limits.id(body.requiredString("agentId", "invalid_request"), "agent");
    }

    private static long epoch(JsonBody body) {
        JsonNode node = body.field("epoch");
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1) {
            throw refused(AgentsException.Reason.INVALID_REQUEST,
                    "Send 'epoch': the positive integer the registration returned.");
        }
        return node.asLong();
    }

    private static long parseEpoch(String value) {
        try {
            long epoch = Long.parseLong(value);
            if (epoch >= 1) {
                return epoch;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw refused(AgentsException.Reason.INVALID_REQUEST, "epoch is a positive integer.");
    }

    private static List<String> skills(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty() || node.size() > Limits.MAX_SKILLS_PER_CLAIM) {
            throw refused(AgentsException.Reason.INVALID_REQUEST,
                    "Send 'skills': 1 to " + Limits.MAX_SKILLS_PER_CLAIM + " skill ids of this agent.");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (JsonNode s : node) {
            if (!s.isTextual()) {
                throw refused(AgentsException.Reason.INVALID_REQUEST, "Skill ids are strings.");
            }
            out.add(Limits.skill(s.asText(), AgentsException.Reason.UNKNOWN_SKILL));
        }
        return new ArrayList<>(out);
    }

    private static int integer(JsonNode node, String field, int min, int max, int absent) {
        if (node == null) {
            return absent;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw refused(AgentsException.Reason.INVALID_TASK, "'" + field + "' is an integer from " + min + " to "
                    + max + ".");
        }
        return node.asInt();
    }

    private static boolean bool(JsonNode node, String field, boolean absent) {
        if (node == null) {
            return absent;
        }
        if (!node.isBoolean()) {
            throw refused(AgentsException.Reason.INVALID_REQUEST, "'" + field + "' is true or false.");
        }
        return node.asBoolean();
    }

    private static int limit(HttpCall call) {
        return call.query("limit").map(l -> {
            try {
                int n = Integer.parseInt(l);
                if (n >= 1 && n <= 500) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw refused(AgentsException.Reason.INVALID_REQUEST, "limit is 1 to 500.");
        }).orElse(100);
    }

    private static AgentsException refused(AgentsException.Reason reason, String detail) {
        return new AgentsException(reason, detail);
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Runs {@code work}, turning the registry's refusals into the contract's status and code. */
    private static void serve(HttpCall call, Work work) throws Exception {
        try {
            work.run();
        } catch (AgentsException e) {
            throw new ApiException(e.reason().status(), e.reason().code(), e.getMessage());
        }
    }
}
