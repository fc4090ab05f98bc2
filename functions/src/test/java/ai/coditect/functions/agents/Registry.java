package ai.coditect.functions.agents;

import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.Outbox;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

import java.util.List;
import java.util.Map;

/** The registry in process on the in-memory engine, with a clock the test moves: for service-level tests. */
final class Registry implements AutoCloseable {
    final TestClock clock = TestClock.atNow();
    final Database db = Databases.open("memory:");
    final InProcessEventBus bus = InProcessEventBus.withDefaults(clock);
    final Outbox outbox;
    final Agents agents;
    final AgentRegistry registry;
    final TaskBoard board;
    final TaskClaims claims;
    final String tenantId = Ids.newId();
    final Principal.AgentOf workspace = new Principal.AgentOf(tenantId, Ids.newId(), Ids.newId());
    final Principal.User user = new Principal.User(tenantId, workspace.userId());

    Registry() {
        this(AgentPolicy.DEFAULT);
    }

    Registry(AgentPolicy policy) {
        Keyspace keys = Keyspace.open(db, "test");
        PrometheusRegistry metrics = new PrometheusRegistry();
        this.outbox = new Outbox(db, keys, bus, Duration.ofSeconds(5), metrics);
        this.agents = new Agents(db, keys, clock, outbox, policy, null, null, metrics);
        this.registry = agents.registry();
        this.board = agents.board();
        this.claims = agents.claims();
    }

    static AgentCard card(String name, String... skills) {
        return AgentCard.of(name, "http://127.0.0.1:7070/a2a", java.util.Arrays.stream(skills)
                .map(s -> new AgentCard.Skill(s, s, null, List.of("test"))).toList());
    }

    Agent register(String name, String... skills) {
        return registry.register(workspace, card(name, skills), null);
    }

    Task submit(String skill, int priority) {
        return board.create(user, new TaskBoard.NewTask(skill, Json.mapper().valueToTree(Map.of("n", 1)), priority,
                null), null).task();
    }

    Task claim(Agent a, String... skills) {
        return board.claimOnce(workspace, a.id(), a.epoch(), List.of(skills));
    }

    static JsonNode json(Object value) {
        return Json.mapper().valueToTree(value);
    }

    @Override
    public void close() {
        agents.close();
        outbox.close();
        bus.close();
        db.close();
    }
}
