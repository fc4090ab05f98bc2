package ai.coditect.functions.cleanup;

import ai.coditect.functions.auth.LoginPolicy;
import ai.coditect.functions.auth.SignupPolicy;
import ai.coditect.functions.auth.Session;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.Range;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cleanup on the embedded engine, which enforces FoundationDB's 5 s and 10 MB transaction limits: a transaction
 * of cleanup that broke them would fail these tests.
 */
class CleanupTest {
    private final TestClock clock = TestClock.atNow();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Database db;
    private Keyspace keys;
    private InProcessEventBus bus;
    private CleanupService cleanup;
    private final List<Event> stops = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private void start(boolean onDisk) throws Exception {
        db = onDisk ? EmbeddedDatabase.open(dir, clock, EmbeddedDatabase.DEFAULT_SEGMENT_BYTES)
                : EmbeddedDatabase.inMemory(clock);
        keys = Keyspace.open(db, "test");
        bus = new InProcessEventBus(clock, 5, Duration.ofMillis(10), Duration.ofMillis(100));
        bus.subscribe(Topic.WORKSPACE_REQUESTS, "recorder", (e, attempt) -> stops.add(e));
        cleanup = new CleanupService(db, keys, clock, bus, new CleanupPolicy(Duration.ofMinutes(30), 500),
                LoginPolicy.DEFAULT, SignupPolicy.DEFAULT, new ProcessedEvents(keys, ProcessedEvents.DEFAULT_RETENTION),
                new PrometheusRegistry());
        open.add(bus);
        open.add(db);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private List<Session> sessions(int count, Instant createdAt, Duration lifetime) {
        List<Session> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            made.add(new Session(Ids.newId(), "tenant-" + (i % 37), "user-" + (i % 101), createdAt,
                    createdAt.plus(lifetime), null, "test"));
        }
        for (int from = 0; from < made.size(); from += 1_000) {
            List<Session> chunk = made.subList(from, Math.min(made.size(), from + 1_000));
            db.run(tr -> {
                for (Session s : chunk) {
                    tr.set(keys.session(s.tenantId(), s.id()), Json.bytes(s));
                    tr.set(keys.sessionByUser(s.tenantId(), s.userId(), s.id()), new byte[0]);
                    tr.set(keys.sessionLastAccess(s.tenantId(), s.id()), Keyspace.millis(createdAt.toEpochMilli()));
                    tr.set(keys.sessionExpiry(s.expiresAt().toEpochMilli(), s.tenantId(), s.id()), new byte[0]);
                }
                return null;
            });
        }
        return made;
    }

    private boolean anyKeyOf(Session s) {
        return db.read(tr -> tr.get(keys.session(s.tenantId(), s.id())).join() != null
                || tr.get(keys.sessionByUser(s.tenantId(), s.userId(), s.id())).join() != null
                || tr.get(keys.sessionLastAccess(s.tenantId(), s.id())).join() != null
                || tr.get(keys.sessionExpiry(s.expiresAt().toEpochMilli(), s.tenantId(), s.id())).join() != null);
    }

    private boolean everyKeyOf(Session s) {
        return db.read(tr -> tr.get(keys.session(s.tenantId(), s.id())).join() != null
                && tr.get(keys.sessionByUser(s.tenantId(), s.userId(), s.id())).join() != null
                && tr.get(keys.sessionLastAccess(s.tenantId(), s.id())).join() != null
                && tr.get(keys.sessionExpiry(s.expiresAt().toEpochMilli(), s.tenantId(), s.id())).join() != null);
    }

    @Test
    void tenThousandExpiredSessionsGoCompletelyAndLiveOnesStayEvenWithTwoRunsAtOnce() throws Exception {
        start(true);
        Instant start = clock.instant();
        List<Session> expired = sessions(10_000, start.minus(Duration.ofHours(13)), Duration.ofHours(12));
        List<Session> live = sessions(1_000, start.minus(Duration.ofHours(1)), Duration.ofHours(12));

        ExecutorService two = Executors.newFixedThreadPool(2);
        long t0 = System.nanoTime();
        List<Future<CleanupService.Report>> runs = List.of(
                two.submit(() -> cleanup.run(clock.instant())),
                two.submit(() -> cleanup.run(clock.instant())));
        int deleted = 0;
        for (Future<CleanupService.Report> run : runs) {
            deleted += run.get().sessionsDeleted();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        two.shutdown();
        System.out.printf("cleanup of 10,000 expired among 11,000 sessions, two concurrent runs on disk: %.2f s%n",
                seconds);

        assertEquals(10_000, deleted, "together the two runs deleted each expired session exactly once");
        for (Session s : expired) {
            assertFalse(anyKeyOf(s), "a key of expired session " + s.id() + " is left");
        }
        for (Session s : live) {
            assertTrue(everyKeyOf(s), "live session " + s.id() + " was touched");
        }
        assertEquals(1_000, (int) db.read(tr -> tr.getRange(keys.sessionExpiryBefore(Long.MAX_VALUE)).asList().join().size()));
        assertEquals(0, cleanup.run(clock.instant()).sessionsDeleted(), "a third run finds nothing");
    }

    @Test
    void aSingleRunOverTenThousandExpiredSessionsInMemory() throws Exception {
        start(false);
        Instant now = clock.instant();
        sessions(10_000, now.minus(Duration.ofHours(13)), Duration.ofHours(12));
        sessions(1_000, now, Duration.ofHours(12));
        long t0 = System.nanoTime();
        CleanupService.Report report = cleanup.run(now);
        System.out.printf("cleanup of 10,000 expired among 11,000 sessions, one run in memory: %.2f s%n",
                (System.nanoTime() - t0) / 1e9);
        assertEquals(10_000, report.sessionsDeleted());
    }

    @Test
    void aBatchCutShortByItsTimeBudgetDoesNotEndTheRun() throws Exception {
        start(false);
        Instant now = clock.instant();
        List<Session> expired = sessions(40, now.minus(Duration.ofHours(13)), Duration.ofHours(12));
        // No time at all per batch: every batch stops after its first session, well short of its ten.
        CleanupService hurried = new CleanupService(db, keys, clock, bus,
                new CleanupPolicy(Duration.ofMinutes(30), 10, Duration.ZERO), LoginPolicy.DEFAULT,
                SignupPolicy.DEFAULT, new ProcessedEvents(keys, ProcessedEvents.DEFAULT_RETENTION),
                new PrometheusRegistry());

        assertEquals(40, hurried.run(now).sessionsDeleted(), "one run went on until the index was empty");
        for (Session s : expired) {
            assertFalse(anyKeyOf(s), "a key of expired session " + s.id() + " is left");
        }
    }

    @Test
    void anInterruptWhileAskingForIdleStopsEndsTheRunAndIsKept() throws Exception {
        start(false);
        Instant now = clock.instant();
        db.run(tr -> {
            tr.set(keys.runningWorkspace("t1", "idle-a"), new byte[0]);
            tr.set(keys.runningWorkspace("t1", "idle-b"), new byte[0]);
            return null;
        });
        List<String> asked = new CopyOnWriteArrayList<>();
        EventPublisher interrupting = new EventPublisher() {
            @Override
            public java.util.concurrent.CompletableFuture<String> publish(Event event) {
                asked.add(event.userId());
                Thread.currentThread().interrupt(); // as a shutdown would, while the publish is awaited
                return new java.util.concurrent.CompletableFuture<>();
            }

            @Override
            public void close() {
            }
        };
        CleanupService interrupted = new CleanupService(db, keys, clock, interrupting, new CleanupPolicy(
                Duration.ofMinutes(30), 500), LoginPolicy.DEFAULT, SignupPolicy.DEFAULT,
                new ProcessedEvents(keys, ProcessedEvents.DEFAULT_RETENTION), new PrometheusRegistry());

        int stopped = interrupted.stopIdleWorkspaces(now);
        boolean kept = Thread.interrupted();

        assertTrue(kept, "the interrupt reached the caller");
        assertEquals(0, stopped);
        assertEquals(1, asked.size(), "the run ended at the interrupt instead of going on");
    }

    @Test
    void sessionsExpireExactlyAtTheirAbsoluteExpiry() throws Exception {
        start(false);
        Instant now = clock.instant();
        Session due = sessions(1, now.minus(Duration.ofHours(12)), Duration.ofHours(12)).getFirst();
        Session notYet = sessions(1, now.minus(Duration.ofHours(12)).plusMillis(1), Duration.ofHours(12)).getFirst();
        cleanup.run(now);
        assertFalse(anyKeyOf(due));
        assertTrue(everyKeyOf(notYet));
    }

    @Test
    void idleRunningWorkspacesGetOneStopRequestEvenFromOverlappingRuns() throws Exception {
        start(false);
        Instant now = clock.instant();
        db.run(tr -> {
            tr.set(keys.runningWorkspace("t1", "idle-user"), new byte[0]);
            tr.set(keys.workspaceActivity("t1", "idle-user"), Keyspace.millis(now.minus(Duration.ofMinutes(31)).toEpochMilli()));
            tr.set(keys.runningWorkspace("t1", "busy-user"), new byte[0]);
            tr.set(keys.workspaceActivity("t1", "busy-user"), Keyspace.millis(now.minus(Duration.ofMinutes(29)).toEpochMilli()));
            tr.set(keys.runningWorkspace("t2", "never-used"), new byte[0]);
            return null;
        });
        assertEquals(2, cleanup.run(now).workspacesStopped());
        assertEquals(2, cleanup.run(now).workspacesStopped());
        assertTrue(bus.awaitIdle(Duration.ofSeconds(5)));
        Set<String> ids = ConcurrentHashMap.newKeySet();
        Set<String> users = ConcurrentHashMap.newKeySet();
        for (Event e : stops) {
            assertEquals(EventType.WORKSPACE_STOP_REQUESTED.wireName(), e.type());
            assertEquals("idle", e.data().path("reason").asText());
            ids.add(e.id());
            users.add(e.userId());
        }
        assertEquals(Set.of("idle-user", "never-used"), users);
        assertEquals(2, ids.size(), "both runs asked with the same event ids, so the consumer acts once");
    }

    @Test
    void aTickDeliveredThreeTimesRunsOnce() throws Exception {
        start(false);
        Instant now = clock.instant();
        sessions(10, now.minus(Duration.ofHours(13)), Duration.ofHours(12));
        Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        CleanupService.Report first = cleanup.handle(tick);
        sessions(5, now.minus(Duration.ofHours(13)), Duration.ofHours(12));
        CleanupService.Report second = cleanup.handle(tick);
        CleanupService.Report third = cleanup.handle(tick);
        assertEquals(10, first.sessionsDeleted());
        assertTrue(second.duplicate() && third.duplicate());
        assertEquals(5, cleanup.handle(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock)).sessionsDeleted(),
                "the next tick does the new work");
    }

    @Test
    void expiredIdempotencyRecordsAndAttemptWindowsAreDropped() throws Exception {
        start(false);
        Instant now = clock.instant();
        ProcessedEvents processed = new ProcessedEvents(keys, Duration.ofDays(7));
        db.run(tr -> {
            processed.record(tr, "old", now.minus(Duration.ofDays(8)));
            processed.record(tr, "recent", now.minus(Duration.ofDays(6)));
            tr.set(keys.loginFailures("old@example.com"), Json.bytes(Map.of("start",
                    now.minus(Duration.ofMinutes(16)).toString(), "attempts", 5)));
            tr.set(keys.loginFailures("recent@example.com"), Json.bytes(Map.of("start",
                    now.minus(Duration.ofMinutes(14)).toString(), "attempts", 5)));
            // Signup windows last an hour: one from 61 minutes ago has passed, one from 16 minutes ago has not.
            tr.set(keys.signupAttempts("192.0.2.1"), Json.bytes(Map.of("start",
                    now.minus(Duration.ofMinutes(61)).toString(), "attempts", 20)));
            tr.set(keys.signupAttempts("192.0.2.2"), Json.bytes(Map.of("start",
                    now.minus(Duration.ofMinutes(16)).toString(), "attempts", 20)));
            return null;
        });
        CleanupService.Report report = cleanup.run(now);
        assertEquals(1, report.processedEventsExpired());
        assertEquals(2, report.attemptWindowsExpired());
        db.read(tr -> {
            assertNull(tr.get(keys.processedEvent("old")).join());
            assertNotNull(tr.get(keys.processedEvent("recent")).join());
            assertNull(tr.get(keys.loginFailures("old@example.com")).join());
            assertNotNull(tr.get(keys.loginFailures("recent@example.com")).join());
            assertNull(tr.get(keys.signupAttempts("192.0.2.1")).join());
            assertNotNull(tr.get(keys.signupAttempts("192.0.2.2")).join());
            return null;
        });
        assertTrue(db.read(tr -> tr.getRange(new Range(keys.processedEvents().begin, keys.processedEvents().end))
                .asList().join().size()) == 1);
    }
}
