package ai.coditect.functions.events;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.tuple.Tuple;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Pub/Sub function for tests, reached by push: applies its effect (an increment, recorded with the event id in
 * the same transaction) and then fails its first delivery of each event, as a function that crashes before
 * answering would.
 */
public final class PushCountingFunction extends PubSubFunction {
    static final Database DB = EmbeddedDatabase.inMemory();
    static final byte[] COUNTER = Tuple.from("push-effect").pack();
    static final Map<String, AtomicInteger> INVOCATIONS = new ConcurrentHashMap<>();
    private static final ProcessedEvents PROCESSED = new ProcessedEvents(Keyspace.open(DB, "push"),
            ProcessedEvents.DEFAULT_RETENTION);

    public PushCountingFunction() {
        super(new EventConsumer("push-counting", (event, attempt) -> {
            int invocation = INVOCATIONS.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
            Transactions.run(DB, tr -> {
                if (!PROCESSED.seen(tr, event.id()).join()) {
                    tr.mutate(MutationType.ADD, COUNTER, Keyspace.millis(1));
                    PROCESSED.record(tr, event.id(), Clock.systemUTC().instant());
                }
                return null;
            });
            if (invocation < 2) {
                throw new IllegalStateException("failing delivery " + invocation + " on purpose");
            }
        }));
    }

    static long effects() {
        byte[] value = DB.read(tr -> tr.get(COUNTER).join());
        return value == null ? 0 : Keyspace.millis(value);
    }
}
