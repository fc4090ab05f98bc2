package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.FDBException;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.async.AsyncIterable;
import com.apple.foundationdb.async.AsyncIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The result of {@code getRange}: like FoundationDB's, nothing is read until it is iterated, and every
 * {@link #iterator()} reads afresh.
 */
final class RangeQuery implements AsyncIterable<KeyValue> {
    private final Supplier<RangeScan> start;

    RangeQuery(Supplier<RangeScan> start) {
        this.start = start;
    }

    @Override
    public AsyncIterator<KeyValue> iterator() {
        try {
            return start.get();
        } catch (FDBException e) {
            return failed(e);
        } catch (CompletionException e) {
            return failed(e.getCause());
        }
    }

    @Override
    public CompletableFuture<List<KeyValue>> asList() {
        List<KeyValue> all = new ArrayList<>();
        try {
            AsyncIterator<KeyValue> it = iterator();
            while (it.hasNext()) {
                all.add(it.next());
            }
        } catch (CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
        return CompletableFuture.completedFuture(all);
    }

    private static AsyncIterator<KeyValue> failed(Throwable error) {
        return new AsyncIterator<>() {
            @Override
            public CompletableFuture<Boolean> onHasNext() {
                return CompletableFuture.failedFuture(error);
            }

            @Override
            public boolean hasNext() {
                throw new CompletionException(error);
            }

            @Override
            public KeyValue next() {
                throw new NoSuchElementException();
            }

            @Override
            public void cancel() {
            }
        };
    }
}
