package ai.coditect.knowledge.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A vector stored as one signed byte per dimension and a scale ({@code value ≈ byte × scale}), a quarter of
 * float32's size with symmetric per-vector quantization. Encoded as the 4-byte little-endian scale, then the bytes.
 */
public record Int8Vector(float scale, byte[] values) {

    public static Int8Vector quantize(float[] v) {
        float max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        float scale = max == 0 ? 1f : max / 127f;
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / scale)));
        }
        return new Int8Vector(scale, q);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(4 + values.length).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale).put(values)
                .array();
    }

    public static Int8Vector decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float scale = b.getFloat();
        byte[] values = new byte[bytes.length - 4];
        b.get(values);
        return new Int8Vector(scale, values);
    }

    public float[] toFloats() {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] * scale;
        }
        return out;
    }
}
