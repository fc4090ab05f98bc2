package ai.coditect.shared.store;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Keys for {@code SET_VERSIONSTAMPED_KEY} that work on every store: fdb-java's
 * {@code Tuple.packWithVersionstamp} asks the native library for the API version, which the embedded engine
 * does not load. The result is the same (API version 520 and later): the packed tuple followed by the
 * placeholder's 4-byte little-endian offset.
 */
public final class VersionstampKeys {
    private static final byte VERSIONSTAMP_CODE = 0x33;

    private VersionstampKeys() {
    }

    /** {@code tuple}, which holds one incomplete versionstamp at its top level, packed after {@code subspace}. */
    public static byte[] pack(Subspace subspace, Tuple tuple) {
        return pack(subspace.getKey(), tuple);
    }

    /** {@code tuple}, which holds one incomplete versionstamp at its top level, packed after {@code prefix}. */
    public static byte[] pack(byte[] prefix, Tuple tuple) {
        List<Object> items = tuple.getItems();
        int at = -1;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof Versionstamp v && !v.isComplete()) {
                if (at >= 0) {
                    throw new IllegalArgumentException("the tuple holds more than one incomplete versionstamp");
                }
                at = i;
            } else if (items.get(i) instanceof Tuple nested && nested.hasIncompleteVersionstamp()) {
                throw new IllegalArgumentException("an incomplete versionstamp must be at the tuple's top level");
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("the tuple holds no incomplete versionstamp");
        }
        // at the top level a tuple packs as the concatenation of its elements, so the placeholder starts
        // after the prefix, the elements before it and its type code
        byte[] before = Tuple.fromList(items.subList(0, at)).pack();
        byte[] after = Tuple.fromList(items.subList(at + 1, items.size())).pack();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix);
        out.writeBytes(before);
        out.write(VERSIONSTAMP_CODE);
        out.writeBytes(((Versionstamp) items.get(at)).getBytes());
        out.writeBytes(after);
        int offset = prefix.length + before.length + 1;
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(offset).array());
        return out.toByteArray();
    }
}
