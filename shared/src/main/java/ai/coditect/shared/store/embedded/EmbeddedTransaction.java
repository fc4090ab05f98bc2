package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.FDBException;
import com.apple.foundationdb.KeyArrayResult;
import com.apple.foundationdb.KeyRangeArrayResult;
import com.apple.foundationdb.KeySelector;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MappedKeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.StreamingMode;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.TransactionOptions;
import com.apple.foundationdb.async.AsyncIterable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A transaction of the embedded engine, with FoundationDB's semantics: a read version taken at the first read,
 * read-your-writes, read conflict ranges checked at commit (optimistic concurrency), FoundationDB's limits and
 * error codes, and {@link #onError} with FoundationDB's retry rules and backoff. Thread-safe, like
 * FoundationDB's transactions.
 */
final class EmbeddedTransaction implements Transaction, RangeReads {
    private enum State { OPEN, COMMITTING, COMMITTED, CANCELLED }

    private final EmbeddedDatabase db;
    private final Executor executor;
    private final SnapshotView snapshot = new SnapshotView(this);
    private TransactionOptions options; // made when first asked for, as most transactions set none

    // kept across onError, as FoundationDB does from API version 610 on
    private final long createdAt;
    private boolean closed;
    private long timeoutMillis;
    private long retryLimit;
    private long maxRetryDelayMillis;
    private long sizeLimit;
    private int retries;
    private long backoffMillis = Limits.INITIAL_BACKOFF_MILLIS;

    // reset by onError
    private long readVersion = -1;
    private VersionedStore.Hold readVersionHold;
    private long readVersionAt;
    private WriteBuffer writes = new WriteBuffer();
    private final List<ConflictRange> readConflicts = new ArrayList<>();
    private final List<ConflictRange> writeConflicts = new ArrayList<>();
    private boolean nextWriteNoConflict;
    private FDBException deferred;
    private State state = State.OPEN;
    /** Created when asked for: most transactions never ask, and a read-only one would fail it with an error. */
    private CompletableFuture<byte[]> versionstamp;
    private boolean stampSettled;
    private Throwable stampFailure;
    private long committedVersion = -1;
    /** Watches created by this transaction, armed when it commits. */
    private final List<Watches.Watch> watches = new ArrayList<>();

    EmbeddedTransaction(EmbeddedDatabase db, Executor executor, TransactionDefaults defaults) {
        this.db = db;
        this.executor = executor;
        this.createdAt = db.clock().millis();
        this.timeoutMillis = defaults.timeoutMillis();
        this.retryLimit = defaults.retryLimit();
        this.maxRetryDelayMillis = defaults.maxRetryDelayMillis();
        this.sizeLimit = defaults.sizeLimit();
    }

    // ---- state shared with the engine ----

    VersionedStore store() {
        return db.store();
    }

    WriteBuffer writes() {
        return writes;
    }

    synchronized long readVersion() {
        if (readVersion < 0) {
            readVersionHold = db.store().register(db.durableVersionSupplier());
            readVersion = readVersionHold.version;
            readVersionAt = db.clock().millis();
        }
        return readVersion;
    }

    /** Lets the engine drop versions this transaction no longer needs: it committed, was reset or closed. */
    private synchronized void releaseReadVersion() {
        if (readVersionHold != null) {
            db.store().release(readVersionHold);
            readVersionHold = null;
        }
    }

    /**
     * Adds a read conflict over {@code [begin, end)} except where this transaction has already set or cleared
     * keys: what it reads there is its own write, whoever commits meanwhile (FoundationDB's
     * {@code updateConflictMap}). Atomic mutations still depend on the committed value, so they stay covered.
     */
    synchronized void addReadConflict(byte[] begin, byte[] end) {
        if (Keys.compare(begin, end) >= 0) {
            return;
        }
        if (writes.points.isEmpty() && writes.cleared.isEmpty()) {
            appendReadConflict(begin, end);
            return;
        }
        byte[] from = begin;
        var cleared = writes.cleared.floorKey(begin);
        var clearedIt = writes.cleared.subMap(cleared == null ? begin : cleared, true, end, false).entrySet()
                .iterator();
        var pointIt = writes.points.subMap(begin, true, end, false).entrySet().iterator();
        Map.Entry<byte[], byte[]> c = clearedIt.hasNext() ? clearedIt.next() : null;
        Map.Entry<byte[], WriteBuffer.Pending> p = nextIndependent(pointIt);
        while (c != null || p != null) {
            byte[] xb;
            byte[] xe;
            if (p == null || (c != null && Keys.compare(c.getKey(), p.getKey()) <= 0)) {
                xb = c.getKey();
                xe = c.getValue();
                c = clearedIt.hasNext() ? clearedIt.next() : null;
            } else {
                xb = p.getKey();
                xe = Keys.after(p.getKey());
                p = nextIndependent(pointIt);
            }
            if (Keys.compare(xe, from) <= 0) {
                continue;
            }
            if (Keys.compare(xb, from) > 0) {
                appendReadConflict(from, Keys.min(xb, end));
            }
            from = xe;
            if (Keys.compare(from, end) >= 0) {
                return;
            }
        }
        appendReadConflict(from, end);
    }

    private static Map.Entry<byte[], WriteBuffer.Pending> nextIndependent(
            Iterator<Map.Entry<byte[], WriteBuffer.Pending>> it) {
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().needsBase()) {
                return e;
            }
        }
        return null;
    }

    /** Appends a read conflict range, extending the last one when a range read continues it. */
    private void appendReadConflict(byte[] begin, byte[] end) {
        if (!readConflicts.isEmpty()) {
            ConflictRange last = readConflicts.getLast();
            if (last.end == begin || Arrays.equals(last.end, begin)) {
                last.end = end;
                return;
            }
            if (last.begin == end || Arrays.equals(last.begin, end)) {
                last.begin = begin;
                return;
            }
        }
        readConflicts.add(new ConflictRange(begin, end));
    }

    /** Refuses a read in {@code [begin, end)} where a pending versionstamped key may land (1036). */
    void checkReadable(byte[] begin, byte[] end) {
        if (!writes.versionstampedKeys.isEmpty() && writes.isUnreadable(begin, end)) {
            throw FdbErrors.error(FdbErrors.ACCESSED_UNREADABLE);
        }
    }

    /** Throws the error that any read must fail with now, if there is one. */
    synchronized void checkReadable() {
        checkUsable();
        if (state == State.COMMITTING) {
            throw FdbErrors.error(FdbErrors.USED_DURING_COMMIT);
        }
        if (state == State.COMMITTED) {
            throw FdbErrors.error(FdbErrors.CLIENT_INVALID_OPERATION);
        }
        if (deferred != null) {
            throw deferred;
        }
        if (readVersion >= 0 && isTooOld()) {
            throw FdbErrors.error(FdbErrors.TRANSACTION_TOO_OLD);
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("Cannot access closed object: the transaction is closed");
        }
        db.checkOpen();
        if (state == State.CANCELLED) {
            throw FdbErrors.error(FdbErrors.TRANSACTION_CANCELLED);
        }
        if (timeoutMillis > 0 && db.clock().millis() - createdAt >= timeoutMillis) {
            throw FdbErrors.error(FdbErrors.TRANSACTION_TIMED_OUT);
        }
    }

    private boolean isTooOld() {
        return db.clock().millis() - readVersionAt > Limits.TRANSACTION_LIFETIME_MILLIS
                || readVersion < db.store().effectiveHorizon();
    }

    // ---- reads ----

    @Override
    public CompletableFuture<byte[]> get(byte[] key) {
        return get(key, false);
    }

    synchronized CompletableFuture<byte[]> get(byte[] key, boolean isSnapshot) {
        try {
            checkReadable();
            requireReadableKey(key);
            if (!writes.versionstampedKeys.isEmpty()) {
                checkReadable(key, Keys.after(key));
            }
            long rv = readVersion();
            WriteBuffer.Pending pending = writes.points.get(key);
            if (pending == null && writes.isCleared(key)) {
                return CompletableFuture.completedFuture(null);
            }
            if (pending != null && !pending.needsBase()) {
                return CompletableFuture.completedFuture(pending.resolve(null));
            }
            if (!isSnapshot) {
                appendReadConflict(key, Keys.after(key));
            }
            byte[] base = db.store().get(key, rv);
            return CompletableFuture.completedFuture(pending == null ? base : pending.resolve(base));
        } catch (FDBException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<byte[]> getKey(KeySelector selector) {
        return getKey(selector, false);
    }

    synchronized CompletableFuture<byte[]> getKey(KeySelector selector, boolean isSnapshot) {
        try {
            checkReadable();
            return CompletableFuture.completedFuture(resolve(selector, isSnapshot));
        } catch (FDBException e) {
            return CompletableFuture.failedFuture(e);
        } catch (CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    /** The key a selector points at in this transaction's view, clamped to the user keyspace. */
    private byte[] resolve(KeySelector selector, boolean isSnapshot) {
        byte[] key = selector.getKey();
        int offset = selector.getOffset();
        if (offset >= 1) {
            byte[] from = selector.orEqual() ? Keys.after(key) : key;
            if (Keys.compare(from, Limits.SYSTEM_KEYS_BEGIN) >= 0) {
                return Limits.SYSTEM_KEYS_BEGIN;
            }
            return nth(new RangeScan(this, from, Limits.SYSTEM_KEYS_BEGIN, offset, false, isSnapshot), offset,
                    Limits.SYSTEM_KEYS_BEGIN);
        }
        byte[] to = Keys.min(selector.orEqual() ? Keys.after(key) : key, Limits.SYSTEM_KEYS_BEGIN);
        int steps = 1 - offset;
        return nth(new RangeScan(this, Keys.FIRST, to, steps, true, isSnapshot), steps, Keys.FIRST);
    }

    private static byte[] nth(RangeScan scan, int n, byte[] whenMissing) {
        byte[] key = whenMissing;
        for (int i = 0; i < n; i++) {
            if (!scan.hasNext()) {
                return whenMissing;
            }
            key = scan.next().getKey();
        }
        return key;
    }

    /** A range boundary: a first-greater-or-equal selector needs no resolution, the range is the same. */
    private byte[] boundary(KeySelector selector, boolean isSnapshot) {
        if (selector.getOffset() == 1 && !selector.orEqual()) {
            return selector.getKey();
        }
        return resolve(selector, isSnapshot);
    }

    AsyncIterable<KeyValue> range(KeySelector begin, KeySelector end, int limit, boolean reverse,
                                  boolean isSnapshot) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (unlimited) or positive");
        }
        return new RangeQuery(() -> {
            synchronized (this) {
                checkReadable();
                byte[] b = boundary(begin, isSnapshot);
                byte[] e = boundary(end, isSnapshot);
                if (Keys.compare(b, Limits.SYSTEM_KEYS_BEGIN) > 0 || Keys.compare(e, Limits.SYSTEM_KEYS_BEGIN) > 0) {
                    throw FdbErrors.error(FdbErrors.KEY_OUTSIDE_LEGAL_RANGE);
                }
                return new RangeScan(this, b, e, limit, reverse, isSnapshot);
            }
        });
    }

    @Override
    public AsyncIterable<KeyValue> rangeRead(KeySelector begin, KeySelector end, int limit, boolean reverse) {
        return range(begin, end, limit, reverse, false);
    }

    @Override
    public AsyncIterable<MappedKeyValue> getMappedRange(KeySelector begin, KeySelector end, byte[] mapper,
                                                        int limit, boolean reverse, StreamingMode mode) {
        throw unsupported("getMappedRange");
    }

    @Override
    public CompletableFuture<Long> getEstimatedRangeSizeBytes(byte[] begin, byte[] end) {
        long rv;
        synchronized (this) {
            checkReadable();
            rv = readVersion();
        }
        long bytes = 0;
        for (var e : db.store().range(begin, end, false).entrySet()) {
            byte[] value = e.getValue().valueAt(rv);
            if (value != null) {
                bytes += e.getKey().length + value.length;
            }
        }
        return CompletableFuture.completedFuture(bytes);
    }

    @Override
    public CompletableFuture<Long> getEstimatedRangeSizeBytes(Range range) {
        return getEstimatedRangeSizeBytes(range.begin, range.end);
    }

    @Override
    public CompletableFuture<KeyArrayResult> getRangeSplitPoints(byte[] begin, byte[] end, long chunkSize) {
        throw unsupported("getRangeSplitPoints");
    }

    @Override
    public CompletableFuture<KeyArrayResult> getRangeSplitPoints(Range range, long chunkSize) {
        throw unsupported("getRangeSplitPoints");
    }

    @Override
    public CompletableFuture<KeyRangeArrayResult> getBlobGranuleRanges(byte[] begin, byte[] end, int rowLimit) {
        throw unsupported("getBlobGranuleRanges");
    }

    @Override
    public synchronized CompletableFuture<Long> getReadVersion() {
        try {
            checkUsable();
            return CompletableFuture.completedFuture(readVersion());
        } catch (FDBException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized void setReadVersion(long version) {
        if (version > db.durableVersion()) {
            deferred = FdbErrors.error(FdbErrors.FUTURE_VERSION);
            return;
        }
        releaseReadVersion();
        readVersion = version;
        readVersionHold = db.registerReadVersion(version);
        readVersionAt = db.clock().millis();
    }

    @Override
    public boolean isSnapshot() {
        return false;
    }

    @Override
    public ReadTransaction snapshot() {
        return snapshot;
    }

    @Override
    public boolean addReadConflictRangeIfNotSnapshot(byte[] begin, byte[] end) {
        addReadConflictRange(begin, end);
        return true;
    }

    @Override
    public boolean addReadConflictKeyIfNotSnapshot(byte[] key) {
        addReadConflictKey(key);
        return true;
    }

    @Override
    public synchronized void addReadConflictRange(byte[] begin, byte[] end) {
        requireConflictRange(begin, end);
        addReadConflict(begin, end);
    }

    @Override
    public synchronized void addReadConflictKey(byte[] key) {
        addReadConflictRange(key, Keys.after(key));
    }

    // ---- writes ----

    @Override
    public synchronized void addWriteConflictRange(byte[] begin, byte[] end) {
        requireConflictRange(begin, end);
        if (Keys.compare(begin, end) < 0) {
            writeConflicts.add(new ConflictRange(begin, end));
        }
    }

    @Override
    public synchronized void addWriteConflictKey(byte[] key) {
        addWriteConflictRange(key, Keys.after(key));
    }

    /** Like FoundationDB, a conflict range is refused at once if inverted or outside the user keyspace. */
    private void requireConflictRange(byte[] begin, byte[] end) {
        if (begin == null || end == null) {
            throw new IllegalArgumentException("Keys cannot be null");
        }
        checkUsable();
        if (Keys.compare(begin, end) > 0) {
            throw FdbErrors.error(FdbErrors.INVERTED_RANGE);
        }
        if (Keys.compare(begin, Limits.SYSTEM_KEYS_BEGIN) > 0 || Keys.compare(end, Limits.SYSTEM_KEYS_BEGIN) > 0) {
            throw FdbErrors.error(FdbErrors.KEY_OUTSIDE_LEGAL_RANGE);
        }
    }

    @Override
    public synchronized void set(byte[] key, byte[] value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("Keys/Values must be non-null");
        }
        if (writable() && validWriteKey(key, key.length) && validValue(value)) {
            writes.set(key, value);
            wrote(key);
        }
    }

    @Override
    public synchronized void clear(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("Key cannot be null");
        }
        if (!writable()) {
            return;
        }
        if (!Keys.isUserKey(key)) {
            defer(FdbErrors.KEY_OUTSIDE_LEGAL_RANGE);
            return;
        }
        if (key.length <= Limits.KEY_BYTES) { // a longer key cannot exist, so FoundationDB ignores its clear
            writes.clear(key);
            wrote(key);
        }
    }

    @Override
    public synchronized void clear(byte[] begin, byte[] end) {
        if (begin == null || end == null) {
            throw new IllegalArgumentException("Keys cannot be null");
        }
        if (!writable()) {
            return;
        }
        if (Keys.compare(begin, end) > 0) {
            defer(FdbErrors.INVERTED_RANGE);
            return;
        }
        if (Keys.compare(end, Limits.SYSTEM_KEYS_BEGIN) > 0) {
            defer(FdbErrors.KEY_OUTSIDE_LEGAL_RANGE);
            return;
        }
        writes.clearRange(begin, end);
        if (nextWriteNoConflict) {
            nextWriteNoConflict = false;
        } else {
            writeConflicts.add(new ConflictRange(begin, end));
        }
    }

    @Override
    public void clear(Range range) {
        clear(range.begin, range.end);
    }

    @Override
    @Deprecated
    public void clearRangeStartsWith(byte[] prefix) {
        clear(Range.startsWith(prefix));
    }

    @Override
    public synchronized void mutate(MutationType type, byte[] key, byte[] param) {
        if (type == null || key == null || param == null) {
            throw new IllegalArgumentException("Mutation type, key and parameter must be non-null");
        }
        if (type == MutationType.SET_VERSIONSTAMPED_KEY) {
            int offset = Versionstamps.offset(key);
            if (!writable() || !validValue(param)) {
                return;
            }
            if (offset < 0) {
                defer(FdbErrors.CLIENT_INVALID_OPERATION);
                return;
            }
            byte[] template = Versionstamps.withoutOffset(key);
            if (validWriteKey(template, template.length)) {
                byte[] possibleBegin = Versionstamps.fill(template, offset,
                        Versionstamps.of(readVersion < 0 ? 0 : readVersion));
                byte[] highest = template.clone();
                Arrays.fill(highest, offset, offset + Versionstamps.LENGTH, (byte) 0xff);
                writes.setVersionstampedKey(template, offset, param, !nextWriteNoConflict, possibleBegin,
                        Keys.min(Keys.after(highest), Limits.SYSTEM_KEYS_BEGIN));
                nextWriteNoConflict = false;
            }
            return;
        }
        if (type == MutationType.SET_VERSIONSTAMPED_VALUE) {
            int offset = Versionstamps.offset(param);
            if (!writable() || !validWriteKey(key, key.length)) {
                return;
            }
            if (offset < 0) {
                defer(FdbErrors.CLIENT_INVALID_OPERATION);
                return;
            }
            byte[] template = Versionstamps.withoutOffset(param);
            if (validValue(template)) {
                writes.setVersionstampedValue(key, template, offset);
                wrote(key);
            }
            return;
        }
        if (!AtomicOps.isSupported(type)) {
            throw unsupported("atomic mutation " + type);
        }
        if (writable() && validWriteKey(key, key.length) && validValue(param)) {
            if (!writes.mutate(type, key, param)) {
                defer(FdbErrors.ACCESSED_UNREADABLE);
                return;
            }
            wrote(key);
        }
    }

    private boolean writable() {
        if (deferred != null) {
            return false;
        }
        try {
            checkUsable();
        } catch (FDBException e) {
            deferred = e;
            return false;
        }
        if (state != State.OPEN) {
            defer(FdbErrors.USED_DURING_COMMIT);
            return false;
        }
        return true;
    }

    private boolean validWriteKey(byte[] key, int length) {
        if (!Keys.isUserKey(key)) {
            defer(FdbErrors.KEY_OUTSIDE_LEGAL_RANGE);
            return false;
        }
        if (length > Limits.KEY_BYTES) {
            defer(FdbErrors.KEY_TOO_LARGE);
            return false;
        }
        return true;
    }

    private boolean validValue(byte[] value) {
        if (value.length > Limits.VALUE_BYTES) {
            defer(FdbErrors.VALUE_TOO_LARGE);
            return false;
        }
        return true;
    }

    private static void requireReadableKey(byte[] key) {
        if (Keys.compare(key, Limits.SYSTEM_KEYS_BEGIN) >= 0) {
            throw FdbErrors.error(FdbErrors.KEY_OUTSIDE_LEGAL_RANGE);
        }
    }

    private void wrote(byte[] key) {
        if (nextWriteNoConflict) {
            nextWriteNoConflict = false;
        } else {
            writeConflicts.add(ConflictRange.ofKey(key));
        }
    }

    /** Like FoundationDB, an invalid write does not throw: the error is raised by the next read or the commit. */
    private void defer(int code) {
        if (deferred == null) {
            deferred = FdbErrors.error(code);
        }
    }

    // ---- commit and retry ----

    @Override
    public synchronized CompletableFuture<Void> commit() {
        try {
            checkUsable();
            if (deferred != null) {
                throw deferred;
            }
            if (state != State.OPEN) {
                throw FdbErrors.error(FdbErrors.USED_DURING_COMMIT);
            }
        } catch (FDBException e) {
            settleStamp(e);
            settleWatches(e);
            return CompletableFuture.failedFuture(e);
        }
        if (writes.isEmpty() && writeConflicts.isEmpty()) {
            releaseReadVersion();
            state = State.COMMITTED;
            settleStamp(null);
            settleWatches(null);
            return CompletableFuture.completedFuture(null);
        }
        List<ConflictRange> reads = merged(readConflicts);
        List<ConflictRange> writeRanges = merged(writeConflicts);
        if (size(reads, writeRanges) > sizeLimit) {
            FDBException tooLarge = FdbErrors.error(FdbErrors.TRANSACTION_TOO_LARGE);
            settleStamp(tooLarge);
            settleWatches(tooLarge);
            return CompletableFuture.failedFuture(tooLarge);
        }
        state = State.COMMITTING;
        CommitRequest request = new CommitRequest(readVersion, readVersionAt, reads, writes, writeRanges);
        return db.commit(request).handle((version, failure) -> {
            synchronized (this) {
                releaseReadVersion();
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    state = State.OPEN;
                    settleStamp(cause);
                    settleWatches(cause);
                    throw new CompletionException(cause);
                }
                state = State.COMMITTED;
                committedVersion = version;
                settleStamp(null);
                settleWatches(null);
                return null;
            }
        });
    }

    /**
     * The size FoundationDB checks against the limit: the writes as sent (the last write of each key) and the
     * merged conflict ranges, so reading or rewriting one key many times counts it once.
     */
    private long size(List<ConflictRange> reads, List<ConflictRange> writeRanges) {
        long bytes = writes.bytes();
        for (ConflictRange r : reads) {
            bytes += r.bytes();
        }
        for (ConflictRange r : writeRanges) {
            bytes += r.bytes();
        }
        return bytes;
    }

    private long approximateSize() {
        return size(merged(readConflicts), merged(writeConflicts));
    }

    /** Conflict ranges sorted and with overlapping or adjacent ones joined; copies, never the originals. */
    static List<ConflictRange> merged(List<ConflictRange> ranges) {
        if (ranges.size() <= 1) {
            return ranges.isEmpty() ? List.of() : List.of(new ConflictRange(ranges.getFirst().begin,
                    ranges.getFirst().end));
        }
        List<ConflictRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing((ConflictRange r) -> r.begin, Keys::compare));
        List<ConflictRange> out = new ArrayList<>();
        ConflictRange current = null;
        for (ConflictRange r : sorted) {
            if (current != null && Keys.compare(r.begin, current.end) <= 0) {
                current.end = Keys.max(current.end, r.end);
            } else {
                current = new ConflictRange(r.begin, r.end);
                out.add(current);
            }
        }
        return out;
    }

    @Override
    public synchronized Long getCommittedVersion() {
        return committedVersion;
    }

    @Override
    public synchronized CompletableFuture<byte[]> getVersionstamp() {
        if (versionstamp == null) {
            versionstamp = new CompletableFuture<>();
            if (stampSettled) {
                completeStamp();
            }
        }
        return versionstamp;
    }

    /** Records how the commit ended for the versionstamp: its version, no version (read-only), or its error. */
    private void settleStamp(Throwable failure) {
        stampSettled = true;
        stampFailure = failure;
        if (versionstamp != null) {
            completeStamp();
        }
    }

    private void completeStamp() {
        if (stampFailure != null) {
            versionstamp.completeExceptionally(stampFailure);
        } else if (committedVersion >= 0) {
            versionstamp.complete(Versionstamps.of(committedVersion));
        } else {
            versionstamp.completeExceptionally(FdbErrors.error(FdbErrors.NO_COMMIT_VERSION));
        }
    }

    @Override
    public synchronized CompletableFuture<Long> getApproximateSize() {
        return CompletableFuture.completedFuture(approximateSize());
    }

    @Override
    public CompletableFuture<Transaction> onError(Throwable e) {
        if ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (!(e instanceof FDBException fdbError)) {
            return CompletableFuture.failedFuture(e);
        }
        long delay;
        synchronized (this) {
            if (!FdbErrors.isRetryable(fdbError.getCode())) {
                return CompletableFuture.failedFuture(fdbError);
            }
            if (timeoutMillis > 0 && db.clock().millis() - createdAt >= timeoutMillis) {
                return CompletableFuture.failedFuture(FdbErrors.error(FdbErrors.TRANSACTION_TIMED_OUT));
            }
            if (retryLimit >= 0 && retries >= retryLimit) {
                return CompletableFuture.failedFuture(fdbError);
            }
            retries++;
            delay = ThreadLocalRandom.current().nextLong(backoffMillis + 1);
            backoffMillis = Math.min(backoffMillis * 2, Math.max(maxRetryDelayMillis, 0));
            reset();
        }
        Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, executor);
        return CompletableFuture.supplyAsync(() -> this, later);
    }

    private void reset() {
        releaseReadVersion();
        cancelWatches();
        readVersion = -1;
        writes = new WriteBuffer();
        readConflicts.clear();
        writeConflicts.clear();
        nextWriteNoConflict = false;
        deferred = null;
        state = State.OPEN;
        versionstamp = null;
        stampSettled = false;
        stampFailure = null;
        committedVersion = -1;
    }

    @Override
    public synchronized void cancel() {
        if (state == State.OPEN) {
            state = State.CANCELLED;
            releaseReadVersion();
            cancelWatches();
        }
    }

    /**
     * A watch of {@code key}: compares against the value this transaction sees now (its own writes included),
     * and starts watching when the transaction commits. It fails with the commit's error if the commit fails,
     * and with {@code transaction_cancelled} if the transaction is reset, cancelled or closed uncommitted.
     */
    @Override
    public synchronized CompletableFuture<Void> watch(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("Key cannot be null");
        }
        try {
            checkReadable();
            if (state != State.OPEN) {
                throw FdbErrors.error(FdbErrors.USED_DURING_COMMIT);
            }
            requireReadableKey(key);
            if (key.length > Limits.KEY_BYTES) {
                throw FdbErrors.error(FdbErrors.KEY_TOO_LARGE);
            }
            byte[] seen = get(key, true).join();
            Watches.Watch watch = db.watches().reserve(key, seen);
            if (watch == null) {
                throw FdbErrors.error(FdbErrors.TOO_MANY_WATCHES);
            }
            watches.add(watch);
            return watch.future;
        } catch (FDBException e) {
            return CompletableFuture.failedFuture(e);
        } catch (CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    private void cancelWatches() {
        if (!watches.isEmpty()) {
            settleWatches(FdbErrors.error(FdbErrors.TRANSACTION_CANCELLED));
        }
    }

    /** Hands this transaction's watches to the database once it committed, or fails them. */
    private void settleWatches(Throwable failure) {
        for (Watches.Watch watch : watches) {
            if (failure == null) {
                db.watches().arm(watch);
            } else {
                watch.future.completeExceptionally(failure);
            }
        }
        watches.clear();
    }

    @Override
    public Database getDatabase() {
        return db;
    }

    @Override
    public synchronized TransactionOptions options() {
        if (options == null) {
            options = new TransactionOptions(this::setOption);
        }
        return options;
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public <T> T run(Function<? super Transaction, T> retryable) {
        return retryable.apply(this);
    }

    @Override
    public <T> CompletableFuture<T> runAsync(Function<? super Transaction, ? extends CompletableFuture<T>> retryable) {
        return applySafely(retryable, this);
    }

    @Override
    public <T> T read(Function<? super ReadTransaction, T> retryable) {
        return retryable.apply(this);
    }

    @Override
    public <T> CompletableFuture<T> readAsync(
            Function<? super ReadTransaction, ? extends CompletableFuture<T>> retryable) {
        return applySafely(retryable, this);
    }

    static <I, T> CompletableFuture<T> applySafely(Function<? super I, ? extends CompletableFuture<T>> fn, I input) {
        try {
            CompletableFuture<T> result = fn.apply(input);
            return result != null ? result : CompletableFuture.failedFuture(
                    new NullPointerException("the transaction function returned no future"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        releaseReadVersion();
        cancelWatches();
    }

    private synchronized void setOption(int code, byte[] param) {
        switch (code) {
            case 30 -> nextWriteNoConflict = true; // NEXT_WRITE_NO_WRITE_CONFLICT_RANGE
            case 500 -> timeoutMillis = longParam(param);
            case 501 -> retryLimit = longParam(param);
            case 502 -> maxRetryDelayMillis = longParam(param);
            case 503 -> sizeLimit = longParam(param) <= 0 ? Limits.TRANSACTION_BYTES
                    : Math.min(longParam(param), Limits.TRANSACTION_BYTES);
            default -> TransactionDefaults.requireHarmless(code, "transaction");
        }
    }

    static long longParam(byte[] param) {
        return ByteBuffer.wrap(param).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static UnsupportedOperationException unsupported(String operation) {
        return new UnsupportedOperationException(operation + " is not supported by the embedded engine");
    }
}
