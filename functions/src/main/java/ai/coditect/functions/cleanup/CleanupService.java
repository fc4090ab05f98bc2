package ai.coditect.functions.cleanup;

import ai.coditect.functions.auth.LoginPolicy;
import ai.coditect.functions.auth.Session;
import ai.coditect.functions.auth.SignupPolicy;
import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.store.BatchScan;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.MalformedValueException;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One cleanup run (a {@code cleanup.tick}): deletes every key of sessions past their absolute expiry by scanning
 * the {@code session_expiry} index in small batches, asks for idle workspaces to be stopped, and drops expired
 * idempotency records and login-failure windows. Safe to run twice at once: every batch is a serializable
 * transaction, so two runs never delete the same session twice and miss none; each batch starts at the front of
 * the index again, so a run that died is simply resumed by the next.
 */
public final class CleanupService {
    private static final Logger LOG = Logger.getLogger(CleanupService.class.getName());

    /** What one run did. */
    public record Report(int sessionsDeleted, int workspacesStopped, int processedEventsExpired,
                         int attemptWindowsExpired, Duration took, boolean duplicate) {
    }

    private final Database db;
    private final Keyspace keys;
    private final Clock clock;
    private final EventPublisher events;
    private final CleanupPolicy policy;
    private final LoginPolicy logins;
    private final SignupPolicy signups;
    private final ProcessedEvents processed;
    private final Counter sessionsDeleted;
    private final Counter workspacesStopped;
    private final Histogram duration;

    public CleanupService(Database db, Keyspace keys, Clock clock, EventPublisher events, CleanupPolicy policy,
                          LoginPolicy logins, SignupPolicy signups, ProcessedEvents processed,
                          PrometheusRegistry metrics) {
        this.db = db;
        this.keys = keys;
        this.clock = clock;
        this.events = events;
        this.policy = policy;
        this.logins = logins;
        this.signups = signups;
        this.processed = processed;
        this.sessionsDeleted = Counter.builder().name("coditect_cleanup_sessions_deleted_total")
                .help("Expired sessions deleted by cleanup").register(metrics);
        this.workspacesStopped = Counter.builder().name("coditect_cleanup_idle_workspaces_stopped_total")
                .help("Stop requests cleanup published for idle workspaces").register(metrics);
        this.duration = Histogram.builder().name("coditect_cleanup_duration_seconds")
                .help("Duration of cleanup runs").classicExponentialUpperBounds(0.01, 2, 14).register(metrics);
    }

    /** Handles a tick: runs once per tick id, however often the tick is delivered. */
    public Report handle(Event tick) {
        Instant now = clock.instant();
        boolean seen = Transactions.read(db, tr -> processed.seen(tr, tick.id()).join());
        if (seen) {
            LogFields.of("tickId", tick.id()).log(LOG, Level.INFO, "cleanup tick delivered again; already done");
            return new Report(0, 0, 0, 0, Duration.ZERO, true);
        }
        Report report = run(now);
        Transactions.run(db, tr -> {
            processed.record(tr, tick.id(), now);
            return null;
        });
        return report;
    }

    public Report run(Instant now) {
        long start = System.nanoTime();
        int sessions = deleteExpiredSessions(now);
        int stopped = stopIdleWorkspaces(now);
        int eventsExpired = expire(keys.processedEvents(), v -> Keyspace.MILLIS.decode(v) <= now.toEpochMilli());
        int windowsExpired = expireWindows(keys.allLoginFailures(), logins.window(), now)
                + expireWindows(keys.allLoginFailuresByAddress(), logins.window(), now)
                + expireWindows(keys.allLoginFailuresOfAddresses(), logins.window(), now)
                + expireWindows(keys.allSignupAttempts(), signups.window(), now);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        sessionsDeleted.inc(sessions);
        workspacesStopped.inc(stopped);
        duration.observe(took.toNanos() / 1e9);
        LogFields.of("sessionsDeleted", sessions, "workspacesStopped", stopped, "processedEventsExpired",
                eventsExpired, "attemptWindowsExpired", windowsExpired, "millis", took.toMillis())
                .log(LOG, Level.INFO, "cleanup finished");
        return new Report(sessions, stopped, eventsExpired, windowsExpired, took, false);
    }

    /** What one batch of {@link #deleteExpiredSessions} did, and whether entries may be left behind it. */
    private record Batch(int deleted, boolean more) {
    }

    /**
     * Deletes sessions whose absolute expiry has passed, every key of each, a batch per transaction. A batch that
     * its time budget cut short deleted fewer than it read, so whether to go on depends on what it read: entries
     * may be left when it read a full batch or did not get through what it read.
     */
    int deleteExpiredSessions(Instant now) {
        Range expired = keys.sessionExpiryBefore(now.toEpochMilli() + 1);
        long budget = policy.batchTime().toNanos();
        int total = 0;
        while (true) {
            Batch done = Transactions.run(db, tr -> {
                long began = System.nanoTime();
                List<KeyValue> batch = tr.getRange(expired, policy.batchSize()).asList().join();
                List<CompletableFuture<byte[]>> records = new ArrayList<>(batch.size());
                for (KeyValue kv : batch) {
                    Keyspace.ExpiryEntry e = keys.sessionExpiryEntry(kv.getKey());
                    records.add(tr.get(keys.session(e.tenantId(), e.sessionId())));
                }
                int n = 0;
                for (int i = 0; i < batch.size(); i++) {
                    Keyspace.ExpiryEntry e = keys.sessionExpiryEntry(batch.get(i).getKey());
                    byte[] record = records.get(i).join();
                    if (record != null) {
                        try {
                            Session s = Session.CODEC.decode(record);
                            tr.clear(keys.sessionByUser(e.tenantId(), s.userId(), e.sessionId()));
                        } catch (MalformedValueException unreadable) {
                            // no user to find its index entry by; logins make room past such entries
                        }
                        tr.clear(keys.session(e.tenantId(), e.sessionId()));
                    }
                    tr.clear(keys.sessionLastAccess(e.tenantId(), e.sessionId()));
                    tr.clear(batch.get(i).getKey());
                    n++;
                    if (System.nanoTime() - began > budget) {
                        break;
                    }
                }
                return new Batch(n, batch.size() == policy.batchSize() || n < batch.size());
            });
            total += done.deleted();
            if (!done.more()) {
                return total;
            }
        }
    }

    /** Publishes a stop request for every running workspace idle longer than the idle timeout. */
    int stopIdleWorkspaces(Instant now) {
        long idleBefore = now.minus(policy.workspaceIdleTimeout()).toEpochMilli();
        int[] stopped = {0};
        BatchScan.read(db, keys.runningWorkspaces(), policy.batchSize(), (tr, batch) -> {
            List<CompletableFuture<byte[]>> activity = new ArrayList<>();
            for (KeyValue kv : batch) {
                Keyspace.Owner o = keys.runningWorkspaceOwner(kv.getKey());
                activity.add(tr.snapshot().get(keys.workspaceActivity(o.tenantId(), o.userId())));
            }
            List<Idle> idle = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                byte[] value = activity.get(i).join();
                long last = value == null ? 0 : Keyspace.MILLIS.decode(value);
                if (last < idleBefore) {
                    idle.add(new Idle(keys.runningWorkspaceOwner(batch.get(i).getKey()), last));
                }
            }
            return idle;
        }, idle -> {
            for (Idle w : idle) {
                // The id names the idle period, so overlapping runs ask for the same stop, which happens once.
                String id = "idle-stop-" + w.owner().tenantId() + "-" + w.owner().userId() + "-" + w.lastActivity();
                Event stop = Event.withId(id, EventType.WORKSPACE_STOP_REQUESTED, w.owner().tenantId(),
                        w.owner().userId(), Map.of("reason", "idle", "lastActivityAt",
                                Instant.ofEpochMilli(w.lastActivity()).toString()), clock);
                try {
                    events.publish(stop).get(10, TimeUnit.SECONDS);
                    stopped[0]++;
                } catch (InterruptedException e) {
                    // Asked to stop: the rest waits for the next tick, and whoever interrupted is told.
                    Thread.currentThread().interrupt();
                    return false;
                } catch (ExecutionException | TimeoutException e) {
                    LogFields.of("tenantId", w.owner().tenantId(), "userId", w.owner().userId())
                            .log(LOG, Level.WARNING, "could not request the stop of an idle workspace: " + e);
                }
            }
            return true;
        });
        return stopped[0];
    }

    private record Idle(Keyspace.Owner owner, long lastActivity) {
    }

    /**
     * Clears the entries of {@code range} whose value says they have expired, a batch per transaction. A value its
     * codec cannot read is cleared too: nothing can use it.
     */
    private int expire(Range range, Predicate<byte[]> expired) {
        int[] total = {0};
        BatchScan.change(db, range, policy.batchSize(), (tr, batch) -> {
            int cleared = 0;
            for (KeyValue kv : batch) {
                boolean gone;
                try {
                    gone = expired.test(kv.getValue());
                } catch (MalformedValueException e) {
                    gone = true;
                }
                if (gone) {
                    tr.clear(kv.getKey());
                    cleared++;
                }
            }
            return cleared;
        }, cleared -> {
            total[0] += cleared;
            return true;
        });
        return total[0];
    }

    private int expireWindows(Range range, Duration length, Instant now) {
        return expire(range, v -> Keyspace.ATTEMPT_WINDOW.decode(v).passed(length, now));
    }
}
