package ai.coditect.shared.store.embedded;

/**
 * The committed versions of one key, newest last within chunks that are linked newest first; a {@code null}
 * value is a clear. Only the committer changes it: appending fills the next slot of the newest chunk (or links
 * a new chunk, twice as large up to a limit), so nothing is copied and a key written under a long reader costs
 * a slot, not an object; pruning cuts the chunks no reader can reach and drops the values of unreachable slots.
 * Readers walk it without locks: a slot is written before the count that publishes it, and a reader at or
 * after the horizon stops before anything pruning removes.
 */
final class VersionChain {
    private static final int MAX_CHUNK = 64;

    private static final class Chunk {
        final long[] versions;
        final byte[][] values;
        /** Slots in use; written after the slot it publishes. */
        volatile int count;
        volatile Chunk older;
        /** Slots below this were pruned (committer only). */
        int floor;

        Chunk(int capacity, long version, byte[] value, Chunk older) {
            this.versions = new long[capacity];
            this.values = new byte[capacity][];
            this.versions[0] = version;
            this.values[0] = value;
            this.older = older;
            this.count = 1;
        }
    }

    private volatile Chunk newest;
    /** Whether the store's prune queue holds this chain; only the committer reads or writes it. */
    boolean queued;

    private VersionChain(Chunk newest) {
        this.newest = newest;
    }

    static VersionChain of(long version, byte[] value) {
        return new VersionChain(new Chunk(1, version, value, null));
    }

    /** The value visible to a reader at {@code readVersion}, or {@code null} if the key was absent then. */
    byte[] valueAt(long readVersion) {
        for (Chunk c = newest; c != null; c = c.older) {
            for (int i = c.count - 1; i >= 0; i--) {
                if (c.versions[i] <= readVersion) {
                    return c.values[i];
                }
            }
        }
        return null;
    }

    byte[] latest() {
        Chunk c = newest;
        return c.values[c.count - 1];
    }

    long latestVersion() {
        Chunk c = newest;
        return c.versions[c.count - 1];
    }

    /** Versions a reader may still reach. */
    int size() {
        int n = 0;
        for (Chunk c = newest; c != null; c = c.older) {
            n += c.count - c.floor;
        }
        return n;
    }

    /** True when the key has more than one version. */
    boolean hasHistory() {
        Chunk c = newest;
        return c.count - c.floor > 1 || c.older != null;
    }

    /** Adds a newer version; the committer's only write besides {@link #prune}. */
    void append(long version, byte[] value) {
        Chunk c = newest;
        int n = c.count;
        if (n < c.versions.length) {
            c.versions[n] = version;
            c.values[n] = value;
            c.count = n + 1;
        } else {
            newest = new Chunk(Math.min(2 * c.versions.length, MAX_CHUNK), version, value, c);
        }
    }

    /**
     * Drops the versions no reader at or after {@code horizon} can see: of those at or below it only the newest
     * is kept. Returns true when the key is gone for every such reader (that newest one is a clear and nothing
     * is newer).
     */
    boolean prune(long horizon) {
        Chunk newestChunk = newest;
        for (Chunk c = newestChunk; c != null; c = c.older) {
            for (int i = c.count - 1; i >= c.floor; i--) {
                if (c.versions[i] <= horizon) {
                    if (c.values[i] == null && c == newestChunk && i == c.count - 1) {
                        return true;
                    }
                    c.older = null;
                    for (int j = c.floor; j < i; j++) {
                        c.values[j] = null; // unreachable: every reader allowed to read stops at slot i
                    }
                    c.floor = i;
                    return false;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "VersionChain(" + size() + " versions, newest " + latestVersion() + ")";
    }
}
