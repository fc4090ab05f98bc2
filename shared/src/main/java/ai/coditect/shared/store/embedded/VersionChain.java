package ai.coditect.shared.store.embedded;

import java.util.Arrays;

/**
 * The committed versions of one key, oldest first; a {@code null} value is a clear. Immutable, so readers at
 * any read version see a consistent chain while the single committer swaps in a new one.
 */
final class VersionChain {
    private final long[] versions;
    private final byte[][] values;

    private VersionChain(long[] versions, byte[][] values) {
        this.versions = versions;
        this.values = values;
    }

    static VersionChain of(long version, byte[] value) {
        return new VersionChain(new long[] {version}, new byte[][] {value});
    }

    /** The value visible to a reader at {@code readVersion}, or {@code null} if the key was absent then. */
    byte[] valueAt(long readVersion) {
        for (int i = versions.length - 1; i >= 0; i--) {
            if (versions[i] <= readVersion) {
                return values[i];
            }
        }
        return null;
    }

    byte[] latest() {
        return values[values.length - 1];
    }

    int size() {
        return versions.length;
    }

    long latestVersion() {
        return versions[versions.length - 1];
    }

    /**
     * This chain plus a newer version, without the versions no reader at or after {@code horizon} can see: only
     * the newest version at or below the horizon is kept of the old ones, and dropped too if it is a clear.
     */
    VersionChain append(long version, byte[] value, long horizon) {
        int from = firstVisibleAt(horizon);
        int kept = versions.length - from;
        long[] v = new long[kept + 1];
        byte[][] b = new byte[kept + 1][];
        System.arraycopy(versions, from, v, 0, kept);
        System.arraycopy(values, from, b, 0, kept);
        v[kept] = version;
        b[kept] = value;
        return new VersionChain(v, b);
    }

    /** True when every reader at or after {@code horizon} sees the key as absent. */
    boolean isGoneAt(long horizon) {
        return latest() == null && latestVersion() <= horizon;
    }

    private int firstVisibleAt(long horizon) {
        for (int i = versions.length - 1; i >= 0; i--) {
            if (versions[i] <= horizon) {
                return values[i] == null ? i + 1 : i;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return "VersionChain" + Arrays.toString(versions);
    }
}
