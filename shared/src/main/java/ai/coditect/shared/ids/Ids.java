package ai.coditect.shared.ids;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one id generator: 128 random bits as 26 lower-case base32 characters. Lower-case letters and digits
 * only, so an id can be part of a DNS label (a workspace namespace is {@code ws-<user id>}).
 */
public final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return base32(bytes);
    }

    /**
     * An id of the same form for a request (its log lines and the {@code X-Request-Id} of its answer). It guards
     * nothing, so it comes from a fast per-thread generator instead of the secure one every entity id needs.
     */
    public static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return base32(ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(random.nextLong()).array());
    }

    private static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder(26);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /** True for strings this generator could have produced; anything else is not worth a database read. */
    public static boolean isWellFormed(String id) {
        if (id == null || id.length() != 26) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
                return false;
            }
        }
        return true;
    }
}
