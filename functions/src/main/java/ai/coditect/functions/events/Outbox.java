package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.MalformedValueException;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Transaction;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The transactional outbox: an event is written into the {@code outbox} subspace in the same transaction as the
 * state change it announces, so the two commit or fail together, and {@link #relay} publishes it afterwards,
 * clearing each entry once the broker has accepted it. An entry whose publish failed (or whose relay died)
 * stays, and the next relay publishes it again: delivery is at least once, consumers are idempotent.
 * Relays run after every commit that adds an entry, on every cleanup tick, and on a timer on the local platform.
 */
public final class Outbox implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
    /** Entries one relay publishes at most; a backlog is worked off over several. */
    static final int BATCH = 100;

    private final Database db;
    private final Keyspace keys;
    private final EventPublisher publisher;
    private final Duration wait;
    private final AtomicInteger userVersions = new AtomicInteger();
    /** Entries this instance is publishing now, so that relays running at once do not publish them twice. */
    private final java.util.Set<String> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService clearing = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("coditect-outbox-", 0).factory());
    private final Counter published;
    private final Counter failed;

    /** Relays publish to {@code publisher} and wait at most {@code wait} for the broker before they return. */
    public Outbox(Database db, Keyspace keys, EventPublisher publisher, Duration wait, PrometheusRegistry metrics) {
        this.db = db;
        this.keys = keys;
        this.publisher = publisher;
        this.wait = wait;
        this.published = Counter.builder().name("coditect_outbox_published_total")
                .help("Outbox entries published and cleared").register(metrics);
        this.failed = Counter.builder().name("coditect_outbox_publish_failures_total")
                .help("Publishes of outbox entries that failed; the entry stays and is published again")
                .register(metrics);
    }

    /** Adds {@code event} to the outbox inside {@code tr}: it exists exactly when {@code tr} commits. */
    public void add(Transaction tr, Event event) {
        tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, keys.outboxEntry(userVersions.getAndIncrement() & 0xffff).param(),
                Keyspace.EVENT.encode(event));
    }

    /**
     * Publishes what the outbox holds, oldest first, and clears each entry the broker accepted. Waits at most the
     * configured time; publishes still under way then clear their entries when they complete. Returns how many
     * entries were published and cleared within the wait.
     */
    public int relay() {
        List<KeyValue> pending = Transactions.read(db, tr -> tr.snapshot().getRange(keys.outbox(), BATCH)
                .asList().join());
        List<CompletableFuture<Boolean>> done = new ArrayList<>(pending.size());
        for (KeyValue entry : pending) {
            String id = java.util.HexFormat.of().formatHex(entry.getKey());
            if (!inFlight.add(id)) {
                continue;
            }
            Event event;
            try {
                event = Keyspace.EVENT.decode(entry.getValue());
            } catch (MalformedValueException e) {
                // Written by this platform, so never expected; kept out of the way of every later event.
                LOG.log(Level.SEVERE, "an unreadable outbox entry was dropped", e);
                clear(entry.getKey());
                inFlight.remove(id);
                continue;
            }
            CompletableFuture<String> sent;
            try {
                sent = publisher.publish(event);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<Boolean> cleared = sent.handleAsync((messageId, failure) -> {
                if (failure != null) {
                    failed.inc();
                    LogFields.of("eventId", event.id(), "type", event.type()).log(LOG, Level.WARNING,
                            "an outbox event could not be published; it stays for the next relay: " + failure);
                    return false;
                }
                clear(entry.getKey());
                published.inc();
                return true;
            }, clearing);
            cleared.whenComplete((ok, e) -> inFlight.remove(id));
            done.add(cleared);
        }
        return awaitCleared(done);
    }

    private int awaitCleared(List<CompletableFuture<Boolean>> done) {
        long deadline = System.nanoTime() + wait.toNanos();
        int cleared = 0;
        for (CompletableFuture<Boolean> d : done) {
            try {
                if (d.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    cleared++;
                }
            } catch (TimeoutException e) {
                // still under way; its entry is cleared when it completes, or published again by a later relay
            } catch (ExecutionException e) {
                LOG.log(Level.WARNING, "clearing a published outbox entry failed; it will be published again", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return cleared;
    }

    private void clear(byte[] key) {
        Transactions.run(db, tr -> {
            tr.clear(key);
            return null;
        });
    }

    /** Publishes that failed so far. */
    long publishFailures() {
        return (long) failed.get();
    }

    /** How many entries wait to be published (up to a batch), for tests and health checks. */
    public int pending() {
        return Transactions.read(db, tr -> tr.snapshot().getRange(keys.outbox(), BATCH).asList().join().size());
    }

    /** Stops clearing; entries not yet cleared are published again by the next relay, wherever it runs. */
    @Override
    public void close() {
        clearing.shutdown();
        try {
            if (!clearing.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                clearing.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clearing.shutdownNow();
        }
    }
}
