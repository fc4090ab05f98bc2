package ai.coditect.shared.store.embedded;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The database's watches: each waits for its key's value to differ from the value its transaction saw, and
 * completes once a commit that changed it is durable, so a woken reader sees the change. Like FoundationDB, a
 * database holds at most a limited number of outstanding watches (counted from {@code watch()} until the
 * future completes, fails or is cancelled), and a change that is undone before it is noticed may go unreported.
 */
final class Watches {
    /** FoundationDB's default of the {@code max_watches} database option. */
    static final int DEFAULT_LIMIT = 10_000;

    /** One watch: the key, the value its transaction saw, and the future the application waits on. */
    static final class Watch {
        final byte[] key;
        final byte[] value;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Watch(byte[] key, byte[] value) {
            this.key = key;
            this.value = value;
        }
    }

    private final Executor executor;
    private final VersionedStore store;
    private final LongSupplier durableVersion;
    private final TreeMap<byte[], List<Watch>> armed = new TreeMap<>(Arrays::compareUnsigned);
    /** Watches whose key changed in a commit that is not yet durable, by that commit's version. */
    private final TreeMap<Long, List<Watch>> awaitingDurable = new TreeMap<>();
    private int outstanding;
    private int limit = DEFAULT_LIMIT;
    /** Read by the committer without the lock: most commits touch no watched key. */
    private volatile int armedCount;
    private volatile boolean anyAwaitingDurable;

    Watches(Executor executor, VersionedStore store, LongSupplier durableVersion) {
        this.executor = executor;
        this.store = store;
        this.durableVersion = durableVersion;
    }

    synchronized void setLimit(int limit) {
        this.limit = limit;
    }

    /**
     * A new watch of a transaction that has not committed yet, or {@code null} when the database already has
     * its limit of outstanding watches ({@code too_many_watches}).
     */
    synchronized Watch reserve(byte[] key, byte[] value) {
        if (outstanding >= limit) {
            return null;
        }
        outstanding++;
        Watch watch = new Watch(key, value);
        watch.future.whenComplete((ignored, failure) -> forget(watch));
        return watch;
    }

    /**
     * Starts watching after the transaction committed: fires at once if the key's newest committed value
     * already differs, else on the next commit that changes it. The newest value is read under this lock, and
     * the committer reports a change only after writing it, so no change falls between the two.
     */
    synchronized void arm(Watch watch) {
        if (watch.future.isDone()) {
            return;
        }
        VersionChain chain = store.chain(watch.key);
        byte[] latest = chain == null ? null : chain.latest();
        if (!Arrays.equals(latest, watch.value)) {
            fire(watch, chain == null ? 0 : chain.latestVersion());
            return;
        }
        armed.computeIfAbsent(watch.key, k -> new ArrayList<>()).add(watch);
        armedCount++;
    }

    /** Called by the committer for every key a commit writes, with the value it now has. */
    void changed(byte[] key, byte[] value, long version) {
        if (armedCount == 0) {
            return;
        }
        synchronized (this) {
            List<Watch> watching = armed.get(key);
            if (watching == null) {
                return;
            }
            for (Watch watch : List.copyOf(watching)) {
                if (!Arrays.equals(value, watch.value)) {
                    fire(watch, version);
                }
            }
        }
    }

    /** Called when every commit up to {@code version} is durable: wakes the watches those commits changed. */
    void durable(long version) {
        if (!anyAwaitingDurable) {
            return;
        }
        List<Watch> due = new ArrayList<>();
        synchronized (this) {
            Map<Long, List<Watch>> done = awaitingDurable.headMap(version, true);
            done.values().forEach(due::addAll);
            done.clear();
            anyAwaitingDurable = !awaitingDurable.isEmpty();
        }
        due.forEach(this::complete);
    }

    /** Fails every watch still waiting, when the database closes. */
    void failAll(RuntimeException error) {
        List<Watch> all = new ArrayList<>();
        synchronized (this) {
            armed.values().forEach(all::addAll);
            awaitingDurable.values().forEach(all::addAll);
        }
        for (Watch watch : all) {
            executor.execute(() -> watch.future.completeExceptionally(error));
        }
    }

    synchronized int outstanding() {
        return outstanding;
    }

    private void fire(Watch watch, long version) {
        unarm(watch);
        // raised before the durable version is read: durable() either sees it or has already published a
        // durable version that this read sees
        anyAwaitingDurable = true;
        if (version <= durableVersion.getAsLong()) {
            complete(watch);
        } else {
            awaitingDurable.computeIfAbsent(version, v -> new ArrayList<>()).add(watch);
        }
    }

    /** Completes on the executor: the application's continuation must not run under the committer's locks. */
    private void complete(Watch watch) {
        executor.execute(() -> watch.future.complete(null));
    }

    private synchronized void forget(Watch watch) {
        outstanding--;
        unarm(watch);
    }

    private void unarm(Watch watch) {
        List<Watch> watching = armed.get(watch.key);
        if (watching != null && watching.remove(watch)) {
            armedCount--;
            if (watching.isEmpty()) {
                armed.remove(watch.key);
            }
        }
    }
}
