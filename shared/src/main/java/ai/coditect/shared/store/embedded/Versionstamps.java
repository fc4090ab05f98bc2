package ai.coditect.shared.store.embedded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * FoundationDB's versionstamp placeholders: a parameter ends with a 4-byte little-endian offset of the 10 bytes
 * that the commit replaces with its versionstamp (8-byte commit version and 2-byte batch order, big-endian).
 */
final class Versionstamps {
    static final int LENGTH = 10;

    private Versionstamps() {
    }

    /** The placeholder offset, or -1 when the parameter does not carry a valid one. */
    static int offset(byte[] param) {
        if (param.length < 4) {
            return -1;
        }
        int offset = ByteBuffer.wrap(param, param.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return offset < 0 || offset + LENGTH > param.length - 4 ? -1 : offset;
    }

    static byte[] withoutOffset(byte[] param) {
        return Arrays.copyOf(param, param.length - 4);
    }

    static byte[] fill(byte[] template, int offset, byte[] versionstamp) {
        byte[] out = template.clone();
        System.arraycopy(versionstamp, 0, out, offset, LENGTH);
        return out;
    }

    static byte[] of(long commitVersion) {
        return ByteBuffer.allocate(LENGTH).putLong(commitVersion).putShort((short) 0).array();
    }
}
