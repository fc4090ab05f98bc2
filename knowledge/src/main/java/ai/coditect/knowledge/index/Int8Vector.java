package ai.coditect.knowledge.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A vector stored as one signed byte per dimension and a scale ({@code value ≈ byte × scale}), a quarter of
 * float32's size with symmetric per-vector quantization, plus a second byte per dimension for what the first
 * left over ({@code value ≈ byte × scale + fine × fineScale}, about 1/16,000 of the largest value off).
 * The scan uses the first bytes only; the fine part re-scores the few candidates so that their order is float32's.
 *
 * <p>Encoded as the 4-byte little-endian scale and the bytes; with a fine part the scale is written negated
 * (a scale is never negative, so older values without one still read) and the fine scale and bytes follow.
 */
public record Int8Vector(float scale, byte[] values, float fineScale, byte[] fine) {

    /** A vector without a fine part, as values written before it existed read. */
    public Int8Vector(float scale, byte[] values) {
        this(scale, values, 0f, null);
    }

    public static Int8Vector quantize(float[] v) {
        float scale = scaleOf(v);
        byte[] q = new byte[v.length];
        float[] rest = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / scale)));
            rest[i] = v[i] - q[i] * scale;
        }
        float fineScale = scaleOf(rest);
        byte[] fine = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            fine[i] = (byte) Math.max(-127, Math.min(127, Math.round(rest[i] / fineScale)));
        }
        return new Int8Vector(scale, q, fineScale, fine);
    }

    private static float scaleOf(float[] v) {
        float max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        return max == 0 ? 1f : max / 127f;
    }

    public byte[] encode() {
        if (fine == null) {
            return ByteBuffer.allocate(4 + values.length).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale).put(values)
                    .array();
        }
        return ByteBuffer.allocate(8 + 2 * values.length).order(ByteOrder.LITTLE_ENDIAN).putFloat(-scale)
                .put(values).putFloat(fineScale).put(fine).array();
    }

    public static Int8Vector decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float scale = b.getFloat();
        if (scale >= 0) {
            byte[] values = new byte[bytes.length - 4];
            b.get(values);
            return new Int8Vector(scale, values);
        }
        byte[] values = new byte[(bytes.length - 8) / 2];
        b.get(values);
        float fineScale = b.getFloat();
        byte[] fine = new byte[values.length];
        b.get(fine);
        return new Int8Vector(-scale, values, fineScale, fine);
    }

    public float[] toFloats() {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] * scale + (fine == null ? 0 : fine[i] * fineScale);
        }
        return out;
    }
}
