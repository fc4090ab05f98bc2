package ai.coditect.shared.store.embedded;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The committed data of the embedded engine: every key with the versions that live transactions may still read
 * (multi-version concurrency control). Readers are lock-free; all writes come from the single committer.
 *
 * <p>A version superseded before the <em>horizon</em> is dropped. The horizon is the oldest read version of a
 * live transaction (each registers its read version), so a key written on every request keeps only a handful of
 * versions. Like FoundationDB, transactions older than five seconds can no longer read
 * ({@code transaction_too_old}), so one that was never closed holds the horizon back for five seconds at most.
 * A snapshot in progress pins its version.
 *
 * <p>Every write that supersedes a version is queued with its version; each commit prunes the keys at the head
 * of the queue once the horizon has passed them, a few more than it queued itself. So old versions go soon
 * after the horizon moves, whether or not the key is written again, at constant amortized cost per write.
 */
final class VersionedStore {
    private static final long RETENTION_MILLIS = Limits.TRANSACTION_LIFETIME_MILLIS + 1_000;
    private static final int SWEEP_MINIMUM = 64;

    private final ConcurrentSkipListMap<byte[], VersionChain> data =
            new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final Clock clock;
    /** Commits of the retention window, oldest first: {version, commit time}. */
    private final ArrayDeque<long[]> recentCommits = new ArrayDeque<>();
    /** Keys given a newer version (or a clear), oldest first, to prune once the horizon passes that version. */
    private final ArrayDeque<Superseded> superseded = new ArrayDeque<>();
    /** Prunes earned and not yet spent: two per queued write, a few per commit. */
    private long pruneCredit;
    /** Read versions of live transactions, with how many hold each. */
    private final ConcurrentSkipListMap<Long, Integer> readers = new ConcurrentSkipListMap<>();
    /** Newest commit version older than the five-second window: nobody may read below it. */
    private long timeHorizon;
    /** The horizon of the current commit. */
    private volatile long horizon;
    /** The version the committer is about to prune up to; a new reader below it must take a newer version. */
    private volatile long pruneIntent;
    private volatile long pinned = Long.MAX_VALUE;

    private record Superseded(long version, byte[] key) {
    }

    VersionedStore(Clock clock) {
        this.clock = clock;
    }

    byte[] get(byte[] key, long readVersion) {
        VersionChain chain = data.get(key);
        return chain == null ? null : chain.valueAt(readVersion);
    }

    /** Keys in {@code [begin, end)}, ascending or descending; weakly consistent, values resolved by version. */
    NavigableMap<byte[], VersionChain> range(byte[] begin, byte[] end, boolean descending) {
        NavigableMap<byte[], VersionChain> sub = data.subMap(begin, true, end, false);
        return descending ? sub.descendingMap() : sub;
    }

    /**
     * Registers a new transaction's read version: the newest durable version, unless the committer is already
     * pruning beyond it, in which case a newer one is taken. Paired with {@link #release}.
     */
    long register(java.util.function.LongSupplier durableVersion) {
        while (true) {
            long rv = durableVersion.getAsLong();
            readers.merge(rv, 1, Integer::sum);
            if (pruneIntent <= rv) {
                return rv;
            }
            release(rv);
            Thread.onSpinWait();
        }
    }

    /** Registers a read version chosen by the application; the caller holds the commit lock. */
    void registerAt(long readVersion) {
        readers.merge(readVersion, 1, Integer::sum);
    }

    void release(long readVersion) {
        readers.computeIfPresent(readVersion, (v, n) -> n == 1 ? null : n - 1);
    }

    // ---- committer side: called with the commit lock held ----

    /**
     * Fixes the horizon of the commit about to be applied: no live reader is below it, and it is at most the
     * newest durable version. The intent is published before the readers are looked at, so a reader that
     * registers meanwhile either is seen or sees the intent and takes a newer version.
     */
    void beginCommit(long durableVersion) {
        pruneIntent = durableVersion;
        Map.Entry<Long, Integer> oldest = readers.firstEntry();
        while (oldest != null && oldest.getKey() < timeHorizon) {
            readers.remove(oldest.getKey());
            oldest = readers.firstEntry();
        }
        long h = oldest == null ? durableVersion : Math.min(durableVersion, oldest.getKey());
        horizon = Math.max(horizon, Math.min(h, pinned));
    }

    /** The key's committed versions, or {@code null} when it has none. */
    VersionChain chain(byte[] key) {
        return data.get(key);
    }

    byte[] latest(byte[] key) {
        VersionChain chain = data.get(key);
        return chain == null ? null : chain.latest();
    }

    /** Records {@code value} (or a clear, for {@code null}) of {@code key} at {@code version}. */
    void put(byte[] key, byte[] value, long version) {
        VersionChain chain = data.get(key);
        if (chain == null) {
            if (value != null) {
                data.put(key, VersionChain.of(version, value));
            }
            return;
        }
        if (value == null && chain.latest() == null) {
            return;
        }
        chain.append(version, value);
        supersede(version, key);
    }

    private void supersede(long version, byte[] key) {
        superseded.addLast(new Superseded(version, key));
        pruneCredit += 2;
    }

    void clearRange(byte[] begin, byte[] end, long version, Watches watches) {
        if (Arrays.compareUnsigned(begin, end) >= 0) {
            return;
        }
        for (Map.Entry<byte[], VersionChain> e : data.subMap(begin, true, end, false).entrySet()) {
            if (e.getValue().latest() != null) {
                e.getValue().append(version, null);
                supersede(version, e.getKey());
                watches.changed(e.getKey(), null, version);
            }
        }
    }

    /**
     * Notes a commit's time and prunes keys superseded before the horizon, as many as the credit allows: each
     * queued write earns two, each commit a few, and credit left while a reader held the horizon back is spent
     * once it moves, so the queue drains at constant amortized cost per write.
     */
    void committed(long version) {
        long now = clock.millis();
        if (recentCommits.isEmpty() || recentCommits.peekLast()[1] != now) {
            recentCommits.addLast(new long[] {version, now});
        } else {
            recentCommits.peekLast()[0] = version;
        }
        while (!recentCommits.isEmpty() && recentCommits.peekFirst()[1] <= now - RETENTION_MILLIS) {
            timeHorizon = Math.max(timeHorizon, recentCommits.pollFirst()[0]);
        }
        long effective = effectiveHorizon();
        pruneCredit = Math.min(pruneCredit + SWEEP_MINIMUM, 2L * superseded.size() + SWEEP_MINIMUM);
        while (pruneCredit > 0 && !superseded.isEmpty()) {
            Superseded s = superseded.peekFirst();
            if (s.version() > effective) {
                break;
            }
            superseded.pollFirst();
            pruneCredit--;
            VersionChain chain = data.get(s.key());
            if (chain != null && chain.prune(effective)) {
                data.remove(s.key(), chain);
            }
        }
    }

    /** Only the newest version at or below this is still readable by a transaction that is allowed to read. */
    long effectiveHorizon() {
        return Math.min(horizon, pinned);
    }


    /** Keeps the versions needed to read at {@code version} until {@link #unpin()}. */
    void pin(long version) {
        pinned = version;
    }

    void unpin() {
        pinned = Long.MAX_VALUE;
    }

    /** Loads one key of a recovered snapshot or log; only during recovery, before any transaction runs. */
    void recover(byte[] key, byte[] value, long version) {
        if (value == null) {
            data.remove(key);
        } else {
            data.put(key, VersionChain.of(version, value));
        }
    }

    void recoverClearRange(byte[] begin, byte[] end) {
        if (Arrays.compareUnsigned(begin, end) < 0) {
            data.subMap(begin, true, end, false).clear();
        }
    }

    /** Live key-value pairs at {@code version}, ascending; the caller pins the version first. */
    Iterator<Map.Entry<byte[], byte[]>> snapshotAt(long version) {
        Iterator<Map.Entry<byte[], VersionChain>> it = data.entrySet().iterator();
        return new Iterator<>() {
            private Map.Entry<byte[], byte[]> next = advance();

            private Map.Entry<byte[], byte[]> advance() {
                while (it.hasNext()) {
                    Map.Entry<byte[], VersionChain> e = it.next();
                    byte[] value = e.getValue().valueAt(version);
                    if (value != null) {
                        return Map.entry(e.getKey(), value);
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<byte[], byte[]> next() {
                Map.Entry<byte[], byte[]> current = next;
                if (current == null) {
                    throw new java.util.NoSuchElementException();
                }
                next = advance();
                return current;
            }
        };
    }

    int keyCount() {
        return data.size();
    }

    int versionCount(byte[] key) {
        VersionChain chain = data.get(key);
        return chain == null ? 0 : chain.size();
    }
}
