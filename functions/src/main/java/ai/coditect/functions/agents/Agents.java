package ai.coditect.functions.agents;

import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.http.Routes;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.functions.events.Outbox;
import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.Database;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;

/**
 * The agent coordination registry, wired: agents with leases and epochs, the task board with its queues, the
 * long-polling claims, the reaper, and the HTTP routes. The platform builds one and hands out its routes and
 * its reaper (to the cleanup tick).
 */
public final class Agents implements AutoCloseable {
    private final AgentEvents events;
    private final TaskBoard board;
    private final AgentRegistry registry;
    private final Reaper reaper;
    private final TaskClaims claims;
    private final AgentRoutes routes;

    /** The registry on {@code db}; its events go out through {@code outbox}; claims are counted in {@code metrics}. */
    public Agents(Database db, Keyspace keys, Clock clock, Outbox outbox, AgentPolicy policy, WorkspaceStore workspaces,
                  Authentication auth, PrometheusRegistry metrics) {
        this.events = new AgentEvents(outbox, clock);
        this.board = new TaskBoard(db, keys, policy, clock, events);
        this.registry = new AgentRegistry(db, keys, board, policy, clock);
        this.reaper = new Reaper(db, keys, registry, board, clock);
        this.claims = new TaskClaims(board, reaper, clock);
        this.routes = new AgentRoutes(registry, board, claims, new Callers(db, workspaces, auth), policy);
        CounterWithCallback.builder().name("coditect_task_claims_total")
                .help("Tasks claimed by agents").callback(c -> c.call(board.claimStats().claims()))
                .register(metrics);
        CounterWithCallback.builder().name("coditect_task_claim_collisions_total")
                .help("Claim transactions retried because another claimer took the same queue entry")
                .callback(c -> c.call(board.claimStats().conflicts())).register(metrics);
        GaugeWithCallback.builder().name("coditect_task_claims_waiting")
                .help("Claims long-polling on FoundationDB watches now, each holding a request thread")
                .callback(g -> g.call(claims.waiting())).register(metrics);
    }

    /**
     * The reaper alone, for the cleanup tick: ends due leases, claims and retry delays in every tenant and returns
     * how many it handled. It serves no route, so it needs no authentication.
     */
    public static java.util.function.IntSupplier reaper(Database db, Keyspace keys, Clock clock, Outbox outbox,
                                                        AgentPolicy policy) {
        AgentEvents events = new AgentEvents(outbox, clock);
        TaskBoard board = new TaskBoard(db, keys, policy, clock, events);
        Reaper reaper = new Reaper(db, keys, new AgentRegistry(db, keys, board, policy, clock), board, clock);
        return reaper::reapAll;
    }

    TaskBoard board() {
        return board;
    }

    AgentRegistry registry() {
        return registry;
    }

    TaskClaims claims() {
        return claims;
    }

    public Routes routes() {
        return routes.routes();
    }

    /** Every operation as the API document names it ({@code POST /v1/tasks/{id}:complete} and so on). */
    public java.util.List<String> operations() {
        return routes.operations();
    }

    /** Ends every lease, claim and retry delay that is due, in every tenant; returns how many it handled. */
    public int reapAll() {
        return reaper.reapAll();
    }

    /** Claims taken, and transaction retries among them: collisions between concurrent claimers. */
    public record ClaimStats(long claims, long conflicts) {
    }

    /** Claims taken and the transaction retries among them since start. */
    public ClaimStats claimStats() {
        return board.claimStats();
    }

    /** Stops relaying; what the outbox holds goes out with the next relay, wherever it runs. */
    @Override
    public void close() {
        events.close();
    }
}
