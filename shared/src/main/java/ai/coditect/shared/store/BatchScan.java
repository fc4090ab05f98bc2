package ai.coditect.shared.store;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A range read in batches, one small transaction each, every batch resuming just after the last key of the one
 * before: how cleanup and others go through an index that may be larger than one transaction can read. A batch
 * shorter than asked for is the last.
 */
public final class BatchScan {
    private BatchScan() {
    }

    /** The work on one batch, inside its transaction (which may run it again on a retry). */
    @FunctionalInterface
    public interface Step<T extends ReadTransaction, R> {
        R apply(T tr, List<KeyValue> batch);
    }

    /**
     * Changes {@code range} a batch at a time: each batch is read and handed to {@code step} in one
     * {@link Transactions#run}; once it committed, {@code then} gets the step's result and says whether to go on.
     */
    public static <R> void change(Database db, Range range, int batchSize, Step<Transaction, R> step,
                                  Predicate<? super R> then) {
        byte[] from = range.begin;
        while (from != null) {
            byte[] start = from;
            Done<R> done = Transactions.run(db, tr -> {
                List<KeyValue> batch = tr.getRange(start, range.end, batchSize).asList().join();
                return new Done<>(step.apply(tr, batch), next(batch, batchSize));
            });
            from = then.test(done.result()) ? done.next() : null;
        }
    }

    /** Changes {@code range} a batch at a time, each batch read and handed to {@code step} in one transaction. */
    public static void change(Database db, Range range, int batchSize,
                              BiConsumer<? super Transaction, List<KeyValue>> step) {
        change(db, range, batchSize, (tr, batch) -> {
            step.accept(tr, batch);
            return null;
        }, nothing -> true);
    }

    /**
     * Reads {@code range} a batch at a time with snapshot reads: each batch is handed to {@code step} in one
     * {@link Transactions#read}; then {@code then} gets the step's result, outside any transaction, and says
     * whether to go on.
     */
    public static <R> void read(Database db, Range range, int batchSize, Step<ReadTransaction, R> step,
                                Predicate<? super R> then) {
        byte[] from = range.begin;
        while (from != null) {
            byte[] start = from;
            Done<R> done = Transactions.read(db, tr -> {
                List<KeyValue> batch = tr.snapshot().getRange(start, range.end, batchSize).asList().join();
                return new Done<>(step.apply(tr, batch), next(batch, batchSize));
            });
            from = then.test(done.result()) ? done.next() : null;
        }
    }

    private static byte[] next(List<KeyValue> batch, int batchSize) {
        return batch.size() < batchSize ? null : Keyspace.keyAfter(batch.getLast().getKey());
    }

    private record Done<R>(R result, byte[] next) {
    }
}
