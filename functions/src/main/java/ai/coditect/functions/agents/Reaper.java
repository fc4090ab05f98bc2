package ai.coditect.functions.agents;

import ai.coditect.shared.store.BatchScan;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;

import java.time.Clock;
import java.util.List;
import java.util.logging.Logger;

/**
 * Ends what has run out: leases (the agent goes, its tasks are offered again), claims without a heartbeat (the
 * task is offered again) and retry delays (the task is queued). Runs for every tenant on the cleanup tick, and for
 * one tenant lazily before each claim. Each item is its own small transaction that checks again, so concurrent
 * reapers and renewals never undo each other.
 */
final class Reaper {
    private static final Logger LOG = Logger.getLogger(Reaper.class.getName());
    private static final int BATCH = 100;

    private final Database db;
    private final Keyspace keys;
    private final AgentRegistry registry;
    private final TaskBoard board;
    private final Clock clock;

    Reaper(Database db, Keyspace keys, AgentRegistry registry, TaskBoard board, Clock clock) {
        this.db = db;
        this.keys = keys;
        this.registry = registry;
        this.board = board;
        this.clock = clock;
    }

    /** What is due in one tenant, as index entries. */
    private record Due(List<KeyValue> leases, List<KeyValue> claims, List<KeyValue> retries) {
        boolean none() {
            return leases.isEmpty() && claims.isEmpty() && retries.isEmpty();
        }
    }

    /** Reaps what is due in {@code tid}; returns how many entries it handled. */
    int reap(String tid) {
        int handled = 0;
        while (true) {
            long cutoff = clock.millis() + 1;
            Due due = Transactions.read(db, tr -> new Due(
                    first(tr, keys.agentLeasesEndingBefore(tid, cutoff)),
                    first(tr, keys.taskClaimsEndingBefore(tid, cutoff)),
                    first(tr, keys.taskDelayedBefore(tid, cutoff))));
            if (due.none()) {
                return handled;
            }
            for (KeyValue kv : due.leases()) {
                registry.expire(tid, kv.getKey(), keys.timedEntry(tid, kv.getKey()).id());
            }
            for (KeyValue kv : due.claims()) {
                board.expireClaim(tid, kv.getKey(), keys.timedEntry(tid, kv.getKey()).id());
            }
            for (KeyValue kv : due.retries()) {
                board.promote(tid, kv.getKey(), keys.timedEntry(tid, kv.getKey()).id());
            }
            handled += due.leases().size() + due.claims().size() + due.retries().size();
        }
    }

    /** Reaps every tenant that has agents or tasks (the cleanup tick). */
    int reapAll() {
        int[] handled = {0};
        BatchScan.read(db, keys.agentTenants(), BATCH, (tr, batch) -> batch, tenants -> {
            for (KeyValue kv : tenants) {
                handled[0] += reap(keys.tenantOfAgentTenant(kv.getKey()));
            }
            return true;
        });
        if (handled[0] > 0) {
            LOG.fine(() -> "agent registry: reaped " + handled[0]);
        }
        return handled[0];
    }

    private static List<KeyValue> first(com.apple.foundationdb.ReadTransaction tr, Range r) {
        return tr.snapshot().getRange(r, BATCH).asList().join();
    }
}
