package ai.coditect.shared.store.embedded;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One committed transaction as the write-ahead log keeps it: its version and its effects, already resolved
 * (atomic mutations and versionstamps applied), as sets and range clears in the order they apply.
 */
record LogRecord(long version, List<Effect> effects) {
    /** A set of {@code key} to {@code value}, or, when {@code value} is null, a clear of {@code [key, end)}. */
    record Effect(byte[] key, byte[] value, byte[] end) {
        static Effect set(byte[] key, byte[] value) {
            return new Effect(key, value, null);
        }

        static Effect clear(byte[] begin, byte[] end) {
            return new Effect(begin, null, end);
        }

        boolean isSet() {
            return value != null;
        }
    }

    byte[] encode() {
        int size = 12;
        for (Effect e : effects) {
            size += 9 + e.key().length + (e.isSet() ? e.value().length : e.end().length);
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putLong(version).putInt(effects.size());
        for (Effect e : effects) {
            byte[] second = e.isSet() ? e.value() : e.end();
            buf.put((byte) (e.isSet() ? 0 : 1));
            buf.putInt(e.key().length).put(e.key());
            buf.putInt(second.length).put(second);
        }
        return buf.array();
    }

    static LogRecord decode(byte[] payload) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        long version = buf.getLong();
        int count = buf.getInt();
        List<Effect> effects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte kind = buf.get();
            byte[] key = new byte[buf.getInt()];
            buf.get(key);
            byte[] second = new byte[buf.getInt()];
            buf.get(second);
            effects.add(kind == 0 ? Effect.set(key, second) : Effect.clear(key, second));
        }
        return new LogRecord(version, effects);
    }
}
