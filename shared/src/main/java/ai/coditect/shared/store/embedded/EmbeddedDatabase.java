package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.DatabaseOptions;
import com.apple.foundationdb.EventKeeper;
import com.apple.foundationdb.FDBException;
import com.apple.foundationdb.KeyRangeArrayResult;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Tenant;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.tuple.Tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The embedded engine: an in-process {@link Database} with FoundationDB's semantics, for the local platform and
 * tests. {@link #inMemory()} keeps everything in memory; {@link #open(Path)} is durable on a directory (see
 * {@link WriteAheadLog}). Commits are serialized by one committer that checks conflicts, assigns versions and
 * applies writes; a commit becomes visible to new transactions only once it is durable.
 */
public final class EmbeddedDatabase implements Database {
    /** Log bytes after which a snapshot is taken and the covered log deleted. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    private static final ExecutorService DEFAULT_EXECUTOR = Executors.newCachedThreadPool(daemonThreads());

    private final Clock clock;
    private final Executor executor;
    private final VersionedStore store;
    private final ConflictTracker conflicts = new ConflictTracker();
    private final ReentrantLock commitLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Commit> pendingCommits = new ConcurrentLinkedQueue<>();
    /** Commits handed to the log, in version order, until they are durable. */
    private final ConcurrentLinkedQueue<Logged> inFlight = new ConcurrentLinkedQueue<>();
    private final DatabaseOptions options = new DatabaseOptions(this::setOption);
    private final WriteAheadLog log;
    private final DirectoryLock lock;
    private final Watches watches;
    private final LongSupplier durableVersionSupplier = () -> this.durableVersion;
    private volatile TransactionDefaults defaults = TransactionDefaults.FOUNDATIONDB;
    private volatile long durableVersion;
    private volatile boolean closed;
    private long lastVersion;

    private EmbeddedDatabase(Clock clock, Path dir, long segmentBytes, DiskIo io) throws IOException {
        this.clock = clock;
        this.executor = DEFAULT_EXECUTOR;
        this.store = new VersionedStore(clock);
        this.watches = new Watches(executor, store, durableVersionSupplier);
        if (dir == null) {
            this.lock = null;
            this.log = null;
            return;
        }
        DiskIo.createDirectories(io, dir);
        this.lock = DirectoryLock.acquire(dir);
        try {
            this.log = WriteAheadLog.open(dir, segmentBytes, store, recovered -> {
                lastVersion = recovered;
                durableVersion = recovered;
            }, this::becameDurable, Runnable::run, io);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A database that lives in memory only. */
    public static EmbeddedDatabase inMemory() {
        return inMemory(Clock.systemUTC());
    }

    public static EmbeddedDatabase inMemory(Clock clock) {
        try {
            return new EmbeddedDatabase(clock, null, 0, DiskIo.REAL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A durable database on {@code dir}, created if missing, recovered if it holds data. */
    public static EmbeddedDatabase open(Path dir) throws IOException {
        return open(dir, Clock.systemUTC(), DEFAULT_SEGMENT_BYTES);
    }

    public static EmbeddedDatabase open(Path dir, Clock clock, long segmentBytes) throws IOException {
        return open(dir, clock, segmentBytes, DiskIo.REAL);
    }

    /** A durable database whose log and snapshots go through {@code io}, which tests make fail on purpose. */
    static EmbeddedDatabase open(Path dir, Clock clock, long segmentBytes, DiskIo io) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (segmentBytes <= 0) {
            throw new IllegalArgumentException("segmentBytes must be positive");
        }
        return new EmbeddedDatabase(clock, dir, segmentBytes, io);
    }

    Clock clock() {
        return clock;
    }

    VersionedStore store() {
        return store;
    }

    long durableVersion() {
        return durableVersion;
    }

    /** {@link #durableVersion()} as a supplier, made once rather than per transaction. */
    LongSupplier durableVersionSupplier() {
        return durableVersionSupplier;
    }

    Watches watches() {
        return watches;
    }

    /**
     * Registers a read version the application set: under the commit lock, so no commit prunes past it while it
     * registers (one that did already makes its reads fail as too old).
     */
    VersionedStore.Hold registerReadVersion(long version) {
        commitLock.lock();
        try {
            return store.registerAt(version);
        } finally {
            commitLock.unlock();
        }
    }

    private void becameDurable(long version) {
        durableVersion = version;
        watches.durable(version);
        if (!inFlight.isEmpty()) {
            // one hand-off per group commit, not one per commit: the log's thread runs no application code
            executor.execute(this::acknowledgeDurable);
        }
    }

    private void acknowledgeDurable() {
        long durable = durableVersion;
        for (Logged c = inFlight.peek(); c != null && c.version() <= durable; c = inFlight.peek()) {
            if (inFlight.remove(c)) {
                c.done().complete(c.version());
            }
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Cannot access closed object: the database is closed");
        }
    }

    /**
     * The committer: conflict check, version, writes, log; completes with the commit version once durable.
     * Commits are combined: a caller queues its request and whoever holds the commit lock applies every queued
     * request, so that under contention requests wait on their own future instead of convoying on the lock.
     */
    CompletableFuture<Long> commit(CommitRequest request) {
        Commit mine = new Commit(request, new CompletableFuture<>());
        pendingCommits.add(mine);
        do {
            if (!commitLock.tryLock()) {
                return mine.done(); // the holder applies ours before it lets go (it re-checks the queue)
            }
            List<Runnable> completions = new ArrayList<>();
            try {
                for (Commit c = pendingCommits.poll(); c != null; c = pendingCommits.poll()) {
                    completions.add(commitOne(c));
                }
            } finally {
                commitLock.unlock();
            }
            completions.forEach(Runnable::run);
        } while (!pendingCommits.isEmpty());
        return mine.done();
    }

    private record Commit(CommitRequest request, CompletableFuture<Long> done) {
    }

    private record Logged(long version, CompletableFuture<Long> done) {
    }

    /** Applies one commit under the commit lock; returns what completes its future, to run after the lock. */
    private Runnable commitOne(Commit commit) {
        CommitRequest request = commit.request();
        CompletableFuture<Long> done = commit.done();
        try {
            checkOpen();
            if (request.readVersion() >= 0 && !request.readConflicts().isEmpty()) {
                // as in FoundationDB, only a transaction with read conflict ranges can be too old to commit
                if (clock.millis() - request.readVersionAt() > Limits.TRANSACTION_LIFETIME_MILLIS
                        || request.readVersion() < store.effectiveHorizon()) {
                    throw FdbErrors.error(FdbErrors.TRANSACTION_TOO_OLD);
                }
                for (ConflictRange r : request.readConflicts()) {
                    if (conflicts.lastWriteIn(r.begin, r.end) > request.readVersion()) {
                        throw FdbErrors.error(FdbErrors.NOT_COMMITTED);
                    }
                }
            }
            store.beginCommit(durableVersion);
            long version = ++lastVersion;
            List<LogRecord.Effect> effects = apply(request.writes(), version);
            for (ConflictRange r : request.writeConflicts()) {
                conflicts.recordWrite(r.begin, r.end, version);
            }
            store.committed(version);
            conflicts.compactIfLarge(store.effectiveHorizon());
            if (log == null) {
                becameDurable(version);
                return () -> done.complete(version);
            }
            inFlight.add(new Logged(version, done));
            CompletableFuture<Long> logged = new CompletableFuture<>();
            logged.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    executor.execute(() -> done.completeExceptionally(failure));
                }
            });
            log.append(version, new LogRecord(version, effects).encode(), logged);
            return () -> { };
        } catch (RuntimeException e) {
            return () -> done.completeExceptionally(e);
        }
    }

    /**
     * Applies a transaction's writes at {@code version}: cleared ranges, then the last write of each key, then
     * versionstamped keys, whose write conflicts are recorded here since their keys were unknown before.
     * Returns the resolved effects for the log.
     */
    private List<LogRecord.Effect> apply(WriteBuffer writes, long version) {
        List<LogRecord.Effect> effects = new ArrayList<>();
        byte[] stamp = writes.needsVersionstamp() ? Versionstamps.of(version) : null;
        for (var range : writes.cleared.entrySet()) {
            store.clearRange(range.getKey(), range.getValue(), version, watches);
            effects.add(LogRecord.Effect.clear(range.getKey(), range.getValue()));
        }
        for (var point : writes.points.entrySet()) {
            byte[] key = point.getKey();
            WriteBuffer.Pending pending = point.getValue();
            byte[] value = pending.commitValue(pending.needsBase() ? store.latest(key) : null, stamp);
            store.put(key, value, version);
            watches.changed(key, value, version);
            effects.add(LogRecord.Effect.of(key, value, pending));
        }
        for (WriteBuffer.VersionstampedKey vk : writes.versionstampedKeys) {
            byte[] key = Versionstamps.fill(vk.template(), vk.offset(), stamp);
            if (writes.clearedAfter(vk, key)) {
                continue;
            }
            store.put(key, vk.value(), version);
            watches.changed(key, vk.value(), version);
            if (vk.writeConflict()) {
                conflicts.recordWrite(key, Keys.after(key), version);
            }
            effects.add(LogRecord.Effect.set(key, vk.value()));
        }
        return effects;
    }

    // ---- Database ----

    @Override
    public Transaction createTransaction(Executor e) {
        checkOpen();
        return new EmbeddedTransaction(this, e, defaults);
    }

    @Override
    public Transaction createTransaction(Executor e, EventKeeper eventKeeper) {
        return createTransaction(e);
    }

    @Override
    public <T> T run(Function<? super Transaction, T> retryable, Executor e) {
        // FoundationDB's retry loop, unchanged: errors go through onError, which retries or rethrows.
        Transaction t = createTransaction(e);
        try {
            while (true) {
                try {
                    T result = retryable.apply(t);
                    t.commit().join();
                    return result;
                } catch (RuntimeException err) {
                    t = t.onError(err).join();
                }
            }
        } finally {
            t.close();
        }
    }

    @Override
    public <T> T read(Function<? super ReadTransaction, T> retryable, Executor e) {
        return run(retryable, e);
    }

    @Override
    public <T> CompletableFuture<T> runAsync(Function<? super Transaction, ? extends CompletableFuture<T>> retryable,
                                             Executor e) {
        Transaction tr = createTransaction(e);
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(tr, retryable, result, e);
        return result.whenComplete((v, t) -> tr.close());
    }

    private <T> void attempt(Transaction tr, Function<? super Transaction, ? extends CompletableFuture<T>> retryable,
                             CompletableFuture<T> result, Executor e) {
        EmbeddedTransaction.applySafely(retryable, tr)
                .thenCompose(value -> tr.commit().thenApply(ignored -> value))
                .whenCompleteAsync((value, failure) -> {
                    if (failure == null) {
                        result.complete(value);
                        return;
                    }
                    tr.onError(failure).whenComplete((again, fatal) -> {
                        if (fatal != null) {
                            result.completeExceptionally(fatal instanceof CompletionException && fatal.getCause()
                                    != null ? fatal.getCause() : fatal);
                        } else {
                            attempt(again, retryable, result, e);
                        }
                    });
                }, e);
    }

    @Override
    public <T> CompletableFuture<T> readAsync(
            Function<? super ReadTransaction, ? extends CompletableFuture<T>> retryable, Executor e) {
        return runAsync(retryable, e);
    }

    @Override
    public DatabaseOptions options() {
        return options;
    }

    private void setOption(int code, byte[] param) {
        switch (code) {
            case 500 -> defaults = defaults.withTimeout(EmbeddedTransaction.longParam(param));
            case 501 -> defaults = defaults.withRetryLimit(EmbeddedTransaction.longParam(param));
            case 502 -> defaults = defaults.withMaxRetryDelay(EmbeddedTransaction.longParam(param));
            case 503 -> defaults = defaults.withSizeLimit(EmbeddedTransaction.longParam(param));
            case 20 -> watches.setLimit((int) Math.min(Integer.MAX_VALUE, EmbeddedTransaction.longParam(param)));
            default -> TransactionDefaults.requireHarmless(code, "database");
        }
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public double getMainThreadBusyness() {
        return 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        commitLock.lock();
        try {
            closed = true;
        } finally {
            commitLock.unlock();
        }
        watches.failAll(FdbErrors.error(FdbErrors.TRANSACTION_CANCELLED));
        try {
            if (log != null) {
                log.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            releaseLock(); // even when closing the log failed, or the directory stays locked in this process
        }
    }

    private void releaseLock() {
        if (lock == null) {
            return;
        }
        try {
            lock.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- not supported by the embedded engine ----

    @Override
    public Tenant openTenant(Tuple tenantName) {
        throw EmbeddedTransaction.unsupported("openTenant (tenants)");
    }

    @Override
    public Tenant openTenant(byte[] tenantName, Executor e) {
        throw EmbeddedTransaction.unsupported("openTenant (tenants)");
    }

    @Override
    public Tenant openTenant(Tuple tenantName, Executor e) {
        throw EmbeddedTransaction.unsupported("openTenant (tenants)");
    }

    @Override
    public Tenant openTenant(byte[] tenantName, Executor e, EventKeeper eventKeeper) {
        throw EmbeddedTransaction.unsupported("openTenant (tenants)");
    }

    @Override
    public Tenant openTenant(Tuple tenantName, Executor e, EventKeeper eventKeeper) {
        throw EmbeddedTransaction.unsupported("openTenant (tenants)");
    }

    @Override
    public CompletableFuture<byte[]> purgeBlobGranules(byte[] begin, byte[] end, long version, boolean force,
                                                       Executor e) {
        throw EmbeddedTransaction.unsupported("purgeBlobGranules (blob granules)");
    }

    @Override
    public CompletableFuture<Void> waitPurgeGranulesComplete(byte[] purgeKey, Executor e) {
        throw EmbeddedTransaction.unsupported("waitPurgeGranulesComplete (blob granules)");
    }

    @Override
    public CompletableFuture<Boolean> blobbifyRange(byte[] begin, byte[] end, Executor e) {
        throw EmbeddedTransaction.unsupported("blobbifyRange (blob granules)");
    }

    @Override
    public CompletableFuture<Boolean> blobbifyRangeBlocking(byte[] begin, byte[] end, Executor e) {
        throw EmbeddedTransaction.unsupported("blobbifyRangeBlocking (blob granules)");
    }

    @Override
    public CompletableFuture<Boolean> unblobbifyRange(byte[] begin, byte[] end, Executor e) {
        throw EmbeddedTransaction.unsupported("unblobbifyRange (blob granules)");
    }

    @Override
    public CompletableFuture<KeyRangeArrayResult> listBlobbifiedRanges(byte[] begin, byte[] end, int rangeLimit,
                                                                       Executor e) {
        throw EmbeddedTransaction.unsupported("listBlobbifiedRanges (blob granules)");
    }

    @Override
    public CompletableFuture<Long> verifyBlobRange(byte[] begin, byte[] end, long version, Executor e) {
        throw EmbeddedTransaction.unsupported("verifyBlobRange (blob granules)");
    }

    @Override
    public CompletableFuture<Boolean> flushBlobRange(byte[] begin, byte[] end, boolean compact, long version,
                                                     Executor e) {
        throw EmbeddedTransaction.unsupported("flushBlobRange (blob granules)");
    }

    @Override
    public CompletableFuture<byte[]> getClientStatus(Executor e) {
        throw EmbeddedTransaction.unsupported("getClientStatus");
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "coditect-store-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
