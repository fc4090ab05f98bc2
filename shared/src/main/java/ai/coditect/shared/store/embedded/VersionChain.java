package ai.coditect.shared.store.embedded;

/**
 * The committed versions of one key, newest first; a {@code null} value is a clear. Only the committer changes
 * it: appending links a new node in front (no copy), pruning cuts the tail no reader can reach. Readers walk it
 * without locks: a reader at or after the horizon stops before any node pruning removes.
 */
final class VersionChain {
    private static final class Node {
        final long version;
        final byte[] value;
        volatile Node older;

        Node(long version, byte[] value, Node older) {
            this.version = version;
            this.value = value;
            this.older = older;
        }
    }

    private volatile Node newest;

    private VersionChain(Node newest) {
        this.newest = newest;
    }

    static VersionChain of(long version, byte[] value) {
        return new VersionChain(new Node(version, value, null));
    }

    /** The value visible to a reader at {@code readVersion}, or {@code null} if the key was absent then. */
    byte[] valueAt(long readVersion) {
        for (Node n = newest; n != null; n = n.older) {
            if (n.version <= readVersion) {
                return n.value;
            }
        }
        return null;
    }

    byte[] latest() {
        return newest.value;
    }

    long latestVersion() {
        return newest.version;
    }

    int size() {
        int n = 0;
        for (Node node = newest; node != null; node = node.older) {
            n++;
        }
        return n;
    }

    /** Adds a newer version; the committer's only write besides {@link #prune}. */
    void append(long version, byte[] value) {
        newest = new Node(version, value, newest);
    }

    /**
     * Drops the versions no reader at or after {@code horizon} can see: of those at or below it only the newest
     * is kept, and not even that if it is a clear. Returns true when the key is gone for every such reader.
     */
    boolean prune(long horizon) {
        Node newer = null;
        Node n = newest;
        while (n != null && n.version > horizon) {
            newer = n;
            n = n.older;
        }
        if (n == null) {
            return false;
        }
        if (n.value != null) {
            n.older = null;
            return false;
        }
        if (newer == null) {
            return true;
        }
        newer.older = null;
        return false;
    }

    @Override
    public String toString() {
        return "VersionChain(" + size() + " versions, newest " + newest.version + ")";
    }
}
