package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.FDBException;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.async.AsyncIterator;

import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One range read of a transaction, {@code [begin, end)} forward or in reverse: committed data at the read
 * version merged with the transaction's own writes. It walks lazily, re-reading the write buffer at every step
 * so that the transaction may keep writing (clearing what it just read, say) while it iterates. Each step adds
 * a read conflict over the keys it examined (less what the transaction wrote there before) and refuses to step
 * where a pending versionstamped key may land.
 */
final class RangeScan implements AsyncIterator<KeyValue> {
    private final EmbeddedTransaction tr;
    private final byte[] begin;
    private final byte[] end;
    private final int limit;
    private final boolean reverse;
    private final boolean snapshot;
    /** Where the part examined so far ends (forward) or begins (reverse). */
    private byte[] examined;

    private Iterator<Map.Entry<byte[], VersionChain>> committed;
    private Map.Entry<byte[], VersionChain> peeked;
    private long readVersion;
    private byte[] cursor;
    private boolean cursorInclusive;
    private int returned;
    private KeyValue next;
    private boolean done;

    RangeScan(EmbeddedTransaction tr, byte[] begin, byte[] end, int limit, boolean reverse, boolean snapshot) {
        this.tr = tr;
        this.begin = begin;
        this.end = end;
        this.limit = limit;
        this.reverse = reverse;
        this.cursor = reverse ? end : begin;
        this.cursorInclusive = !reverse;
        this.snapshot = snapshot;
        this.examined = reverse ? end : begin;
        this.done = Keys.compare(begin, end) >= 0;
    }

    @Override
    public CompletableFuture<Boolean> onHasNext() {
        try {
            return CompletableFuture.completedFuture(hasNext());
        } catch (CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = advance();
            } catch (FDBException e) {
                done = true;
                throw new CompletionException(e);
            }
            done = next == null;
        }
        return next != null;
    }

    @Override
    public KeyValue next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        KeyValue kv = next;
        next = null;
        return kv;
    }

    @Override
    public void cancel() {
        done = true;
        next = null;
    }

    private KeyValue advance() {
        synchronized (tr) {
            tr.checkReadable();
            if (limit > 0 && returned >= limit) {
                return null;
            }
            if (committed == null) {
                readVersion = tr.readVersion();
                committed = tr.store().range(begin, end, reverse).entrySet().iterator();
                peeked = committed.hasNext() ? committed.next() : null;
            }
            WriteBuffer writes = tr.writes();
            while (true) {
                while (peeked != null && !isAhead(peeked.getKey())) {
                    peeked = committed.hasNext() ? committed.next() : null;
                }
                byte[] pendingKey = nextPendingKey(writes);
                byte[] committedKey = peeked == null ? null : peeked.getKey();
                byte[] key = first(pendingKey, committedKey);
                if (key == null) {
                    exhausted();
                    return null;
                }
                cursor = key;
                cursorInclusive = false;
                byte[] value;
                if (key == pendingKey) {
                    WriteBuffer.Pending pending = writes.points.get(key);
                    byte[] base = null;
                    if (pending.needsBase()) {
                        base = committedKey != null && Keys.compare(committedKey, key) == 0
                                ? peeked.getValue().valueAt(readVersion)
                                : tr.store().get(key, readVersion);
                    }
                    value = pending.resolve(base);
                } else {
                    value = writes.isCleared(key) ? null : peeked.getValue().valueAt(readVersion);
                }
                covered(key);
                if (value != null) {
                    returned++;
                    return new KeyValue(key, value);
                }
            }
        }
    }

    /** True when {@code key} lies at or beyond the cursor in the direction of the scan. */
    private boolean isAhead(byte[] key) {
        int c = Keys.compare(key, cursor);
        return reverse ? c < 0 || (c == 0 && cursorInclusive) : c > 0 || (c == 0 && cursorInclusive);
    }

    private byte[] nextPendingKey(WriteBuffer writes) {
        byte[] k;
        if (reverse) {
            k = writes.points.lowerKey(cursor);
            return k != null && Keys.compare(k, begin) >= 0 ? k : null;
        }
        k = cursorInclusive ? writes.points.ceilingKey(cursor) : writes.points.higherKey(cursor);
        return k != null && Keys.compare(k, end) < 0 ? k : null;
    }

    private byte[] first(byte[] a, byte[] b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int c = Keys.compare(a, b);
        return (reverse ? c >= 0 : c <= 0) ? a : b;
    }

    private void covered(byte[] key) {
        if (reverse) {
            examine(key, examined);
            examined = key;
        } else {
            byte[] after = Keys.after(key);
            examine(examined, after);
            examined = after;
        }
    }

    private void exhausted() {
        if (reverse) {
            examine(begin, examined);
            examined = begin;
        } else {
            examine(examined, end);
            examined = end;
        }
    }

    private void examine(byte[] from, byte[] to) {
        tr.checkReadable(from, to);
        if (!snapshot) {
            tr.addReadConflict(from, to);
        }
    }
}
