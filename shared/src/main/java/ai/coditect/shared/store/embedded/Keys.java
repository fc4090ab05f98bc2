package ai.coditect.shared.store.embedded;

import java.util.Arrays;

/** Byte-string keys in FoundationDB's order (unsigned lexicographic). */
final class Keys {
    static final byte[] FIRST = new byte[0];

    private Keys() {
    }

    /** The first key after {@code key}: the key with a zero byte appended. */
    static byte[] after(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    static byte[] min(byte[] a, byte[] b) {
        return compare(a, b) <= 0 ? a : b;
    }

    static byte[] max(byte[] a, byte[] b) {
        return compare(a, b) >= 0 ? a : b;
    }

    /** Keys an application may read and write: below the system keyspace {@code \xff}. */
    static boolean isUserKey(byte[] key) {
        return compare(key, Limits.SYSTEM_KEYS_BEGIN) < 0;
    }
}
