package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.tuple.Tuple;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Pub/Sub function for tests that applies its effect (an increment, recorded with the event id in the same
 * transaction) and then fails on its first two deliveries, as a function that crashes before acknowledging would.
 */
public final class FlakyFunction implements CloudEventsFunction {
    static final Database DB = EmbeddedDatabase.inMemory();
    static final Keyspace KEYS = Keyspace.open(DB, "flaky");
    static final byte[] COUNTER = Tuple.from("flaky-effect").pack();
    static final Map<String, AtomicInteger> INVOCATIONS = new ConcurrentHashMap<>();
    private static final ProcessedEvents PROCESSED = new ProcessedEvents(KEYS, ProcessedEvents.DEFAULT_RETENTION);

    @Override
    public void accept(CloudEvent cloudEvent) {
        Event event = EventarcMessage.from(cloudEvent).event();
        int invocation = INVOCATIONS.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        Instant now = Clock.systemUTC().instant();
        Transactions.run(DB, tr -> {
            if (!PROCESSED.seen(tr, event.id()).join()) {
                tr.mutate(MutationType.ADD, COUNTER, Keyspace.millis(1));
                PROCESSED.record(tr, event.id(), now);
            }
            return null;
        });
        if (invocation < 3) {
            throw new IllegalStateException("failing delivery " + invocation + " on purpose");
        }
    }
}
