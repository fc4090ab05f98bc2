package ai.coditect.shared.store.embedded;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

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
 * <p>A key that gets a second version is queued (once, however often it is written meanwhile) with the version
 * of that write; each commit prunes the keys at the head of the queue once the horizon has passed them, and
 * queues a key again, at the newest version, while it still has history. So old versions go soon after the
 * horizon moves, whether or not the key is written again, at constant amortized cost per write, and a hot key
 * under a long reader costs one queue entry, not one per write.
 */
final class VersionedStore {
    private static final long RETENTION_MILLIS = Limits.TRANSACTION_LIFETIME_MILLIS + 1_000;
    private static final int SWEEP_MINIMUM = 64;
    /** At most this many prunes in one commit, so a long backlog does not stall one commit. */
    private static final int SWEEP_MAXIMUM = 4_096;

    private final ConcurrentSkipListMap<byte[], VersionChain> data =
            new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    /**
     * The same chains by hash, for point reads: one lookup instead of a descent through the ordered map with a
     * key comparison at every level. The committer keeps both maps; each holds the same chain objects.
     */
    private final ConcurrentHashMap<Key, VersionChain> index = new ConcurrentHashMap<>();
    private final Clock clock;
    /** Commits of the retention window, oldest first: {version, commit time}. */
    private final ArrayDeque<long[]> recentCommits = new ArrayDeque<>();
    /** Keys given a newer version (or a clear), oldest first, to prune once the horizon passes that version. */
    private final ArrayDeque<Superseded> superseded = new ArrayDeque<>();
    /** Prunes earned and not yet spent: two per queued write, a few per commit. */
    private long pruneCredit;
    /**
     * Read versions of live transactions, with how many hold each. A count that drops to zero stays (the next
     * reader at that version reuses it) until the committer retires it, so readers never insert or remove on
     * the hot path.
     */
    private final ConcurrentSkipListMap<Long, Hold> readers = new ConcurrentSkipListMap<>();
    /** Newest commit version older than the five-second window: nobody may read below it. */
    private long timeHorizon;
    /** The horizon of the current commit. */
    private volatile long horizon;
    /** The version the committer is about to prune up to; a new reader below it must take a newer version. */
    private volatile long pruneIntent;
    private volatile long pinned = Long.MAX_VALUE;

    private record Superseded(long version, byte[] key, VersionChain chain) {
    }

    /** A key of {@link #index}: bytes compared by content, hash computed once. */
    private record Key(byte[] bytes, int hash) {
        /** FNV-1a: keys that share a long prefix and differ in a byte or two still spread (Arrays.hashCode's don't). */
        static Key of(byte[] bytes) {
            int h = 0x811c9dc5;
            for (byte b : bytes) {
                h = (h ^ (b & 0xff)) * 0x01000193;
            }
            return new Key(bytes, h ^ (h >>> 16));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private VersionChain lookup(byte[] key) {
        return index.get(Key.of(key));
    }

    private void insert(byte[] key, VersionChain chain) {
        index.put(Key.of(key), chain);
        data.put(key, chain);
    }

    private void remove(byte[] key, VersionChain chain) {
        if (data.remove(key, chain)) {
            index.remove(Key.of(key), chain);
        }
    }

    /** How many transactions hold one read version; {@link #RETIRED} once the committer removed it. */
    static final class Hold extends AtomicInteger {
        private static final int RETIRED = -1;
        final long version;

        private Hold(long version) {
            this.version = version;
        }

        /** Counts one more holder, unless the committer has retired this count. */
        boolean enter() {
            for (int n = get(); n >= 0; n = get()) { // negative: retired (holders of a retired count may leave)
                if (compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    VersionedStore(Clock clock) {
        this.clock = clock;
    }

    byte[] get(byte[] key, long readVersion) {
        VersionChain chain = lookup(key);
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
    Hold register(LongSupplier durableVersion) {
        while (true) {
            long rv = durableVersion.getAsLong();
            Hold hold = enter(rv);
            if (hold != null) {
                if (pruneIntent <= rv) {
                    return hold;
                }
                release(hold);
            }
            Thread.onSpinWait();
        }
    }

    /** Registers a read version chosen by the application; the caller holds the commit lock. */
    Hold registerAt(long readVersion) {
        Hold hold;
        do {
            hold = enter(readVersion);
        } while (hold == null);
        return hold;
    }

    private Hold enter(long readVersion) {
        Hold hold = readers.get(readVersion);
        if (hold == null) {
            hold = readers.computeIfAbsent(readVersion, Hold::new);
        }
        return hold.enter() ? hold : null;
    }

    void release(Hold hold) {
        hold.decrementAndGet();
    }

    // ---- committer side: called with the commit lock held ----

    /**
     * Fixes the horizon of the commit about to be applied: no live reader is below it, and it is at most the
     * newest durable version. The intent is published before the readers are looked at, so a reader that
     * registers meanwhile either is seen or sees the intent and takes a newer version.
     */
    void beginCommit(long durableVersion) {
        pruneIntent = durableVersion;
        Map.Entry<Long, Hold> oldest = readers.firstEntry();
        while (oldest != null && (oldest.getKey() < timeHorizon || oldest.getValue().compareAndSet(0, Hold.RETIRED))) {
            // a reader older than five seconds no longer counts (it can only fail as too old); an unheld count
            // is retired, so a reader that comes for it registers a new one and then sees the intent
            oldest.getValue().set(Hold.RETIRED);
            readers.remove(oldest.getKey(), oldest.getValue());
            oldest = readers.firstEntry();
        }
        long h = oldest == null ? durableVersion : Math.min(durableVersion, oldest.getKey());
        horizon = Math.max(horizon, Math.min(h, pinned));
    }

    /** The key's committed versions, or {@code null} when it has none. */
    VersionChain chain(byte[] key) {
        return lookup(key);
    }

    byte[] latest(byte[] key) {
        VersionChain chain = lookup(key);
        return chain == null ? null : chain.latest();
    }

    /** Records {@code value} (or a clear, for {@code null}) of {@code key} at {@code version}. */
    void put(byte[] key, byte[] value, long version) {
        VersionChain chain;
        if (value == null) {
            chain = lookup(key);
            if (chain == null) {
                return;
            }
        } else {
            VersionChain fresh = VersionChain.of(version, value);
            chain = index.putIfAbsent(Key.of(key), fresh); // one hash lookup for a new key, not two
            if (chain == null) {
                data.put(key, fresh);
                return;
            }
        }
        if (value == null && chain.latest() == null) {
            return;
        }
        chain.append(version, value);
        supersede(version, key, chain);
    }

    private void supersede(long version, byte[] key, VersionChain chain) {
        if (!chain.queued) {
            chain.queued = true;
            superseded.addLast(new Superseded(version, key, chain));
        }
        pruneCredit += 2;
    }

    void clearRange(byte[] begin, byte[] end, long version, Watches watches) {
        if (Arrays.compareUnsigned(begin, end) >= 0) {
            return;
        }
        for (Map.Entry<byte[], VersionChain> e : data.subMap(begin, true, end, false).entrySet()) {
            if (e.getValue().latest() != null) {
                e.getValue().append(version, null);
                supersede(version, e.getKey(), e.getValue());
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
        pruneCredit = Math.min(pruneCredit + SWEEP_MINIMUM, 4L * superseded.size() + SWEEP_MINIMUM);
        for (int done = 0; done < SWEEP_MAXIMUM && pruneCredit > 0 && !superseded.isEmpty(); done++) {
            Superseded s = superseded.peekFirst();
            if (s.version() > effective) {
                break;
            }
            superseded.pollFirst();
            pruneCredit--;
            VersionChain chain = s.chain();
            chain.queued = false;
            if (chain.prune(effective)) {
                remove(s.key(), chain);
            } else if (chain.hasHistory()) {
                supersede(version, s.key(), chain); // newer versions than the horizon: prune them later
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
            VersionChain chain = lookup(key);
            if (chain != null) {
                remove(key, chain);
            }
        } else {
            insert(key, VersionChain.of(version, value));
        }
    }

    void recoverClearRange(byte[] begin, byte[] end) {
        if (Arrays.compareUnsigned(begin, end) < 0) {
            var cleared = data.subMap(begin, true, end, false);
            cleared.keySet().forEach(k -> index.remove(Key.of(k)));
            cleared.clear();
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
        VersionChain chain = lookup(key);
        return chain == null ? 0 : chain.size();
    }
}
