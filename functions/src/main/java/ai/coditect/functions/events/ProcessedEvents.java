package ai.coditect.functions.events;

import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The record of events a consumer has handled ({@code processed_events}), written in the same transaction as
 * the event's effect so that a redelivered event has no second effect. Entries expire after the retention, a
 * week by default — longer than Pub/Sub keeps an unacknowledged message.
 */
public final class ProcessedEvents {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    private final Keyspace keys;
    private final Duration retention;

    public ProcessedEvents(Keyspace keys, Duration retention) {
        this.keys = keys;
        this.retention = retention;
    }

    public CompletableFuture<Boolean> seen(ReadTransaction tr, String eventId) {
        return tr.get(keys.processedEvent(eventId)).thenApply(v -> v != null);
    }

    public void record(Transaction tr, String eventId, Instant now) {
        tr.set(keys.processedEvent(eventId), Keyspace.MILLIS.encode(now.plus(retention).toEpochMilli()));
    }
}
