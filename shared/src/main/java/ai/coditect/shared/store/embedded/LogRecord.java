package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.MutationType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One committed transaction as the write-ahead log keeps it: its version and its effects in the order they
 * apply. A key changed only by atomic mutations is logged as those mutations when they are smaller than the
 * value they produce (they are deterministic, so replay gives the same value): a transaction of 700
 * {@code COMPARE_AND_CLEAR}s on 99 KB values is then a record of a few kilobytes, and no record outgrows the
 * transaction that made it.
 */
record LogRecord(long version, List<Effect> effects) {
    /** The encoded size of a record without effects. */
    static final int EMPTY_BYTES = 12;

    private static final byte SET = 0;
    private static final byte CLEAR = 1;
    private static final byte MUTATE = 2;
    private static final Map<Integer, MutationType> MUTATIONS_BY_CODE = new HashMap<>();

    static {
        for (MutationType type : MutationType.values()) {
            MUTATIONS_BY_CODE.putIfAbsent(type.code(), type); // AND/BIT_AND and friends share a code
        }
    }

    /** What one commit did to the data. */
    sealed interface Effect {
        static Effect set(byte[] key, byte[] value) {
            return new SetValue(key, value);
        }

        static Effect clear(byte[] begin, byte[] end) {
            return new ClearRange(begin, end);
        }

        /**
         * The effect on {@code key} of a commit that left it {@code value} (null: absent); when the commit only
         * applied atomic mutations to the committed value, whichever of the mutations and the value is smaller.
         */
        static Effect of(byte[] key, byte[] value, WriteBuffer.Pending pending) {
            Effect result = value == null ? clear(key, Keys.after(key)) : set(key, value);
            if (pending.needsBase()) {
                Effect mutations = new Mutations(key, pending.mutations());
                if (mutations.encodedBytes() < result.encodedBytes()) {
                    return mutations;
                }
            }
            return result;
        }

        /** Applies this effect of a recovered record to {@code store}. */
        void replay(VersionedStore store, long version);

        long encodedBytes();
    }

    record SetValue(byte[] key, byte[] value) implements Effect {
        @Override
        public void replay(VersionedStore store, long version) {
            store.recover(key, value, version);
        }

        @Override
        public long encodedBytes() {
            return 9 + key.length + value.length;
        }
    }

    /** A clear of {@code [begin, end)}. */
    record ClearRange(byte[] begin, byte[] end) implements Effect {
        @Override
        public void replay(VersionedStore store, long version) {
            store.recoverClearRange(begin, end);
        }

        @Override
        public long encodedBytes() {
            return 9 + begin.length + end.length;
        }
    }

    /** Atomic mutations applied, in order, to the value {@code key} had before the commit. */
    record Mutations(byte[] key, List<WriteBuffer.Mutation> mutations) implements Effect {
        @Override
        public void replay(VersionedStore store, long version) {
            byte[] value = store.latest(key);
            for (WriteBuffer.Mutation m : mutations) {
                value = AtomicOps.apply(m.type(), value, m.param());
            }
            store.recover(key, value, version);
        }

        @Override
        public long encodedBytes() {
            long size = 9 + key.length;
            for (WriteBuffer.Mutation m : mutations) {
                size += 8 + m.param().length;
            }
            return size;
        }
    }

    /** The encoded size of this record: never larger than the log accepts, see {@link WriteAheadLog}. */
    long encodedBytes() {
        long size = EMPTY_BYTES;
        for (Effect e : effects) {
            size += e.encodedBytes();
        }
        return size;
    }

    byte[] encode() {
        long size = encodedBytes();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("a log record of " + size + " bytes cannot be encoded");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        buf.putLong(version).putInt(effects.size());
        for (Effect e : effects) {
            switch (e) {
                case SetValue s -> buf.put(SET).putInt(s.key().length).put(s.key()).putInt(s.value().length)
                        .put(s.value());
                case ClearRange c -> buf.put(CLEAR).putInt(c.begin().length).put(c.begin()).putInt(c.end().length)
                        .put(c.end());
                case Mutations m -> {
                    buf.put(MUTATE).putInt(m.key().length).put(m.key()).putInt(m.mutations().size());
                    for (WriteBuffer.Mutation op : m.mutations()) {
                        buf.putInt(op.type().code()).putInt(op.param().length).put(op.param());
                    }
                }
            }
        }
        return buf.array();
    }

    /**
     * Whether the {@code length} bytes at {@code offset} could be an encoded record: a cheap test that rules out
     * almost all random or repetitive data before a checksum is computed over them.
     */
    static boolean plausible(ByteBuffer buf, int offset, int length) {
        if (length < EMPTY_BYTES) {
            return false;
        }
        int count = buf.getInt(offset + 8);
        if (count == 0) {
            return length == EMPTY_BYTES;
        }
        if (count < 0 || count > (length - EMPTY_BYTES) / 9) {
            return false;
        }
        byte kind = buf.get(offset + EMPTY_BYTES);
        int keyLength = buf.getInt(offset + EMPTY_BYTES + 1);
        return kind >= SET && kind <= MUTATE && keyLength >= 0 && keyLength <= length - EMPTY_BYTES - 9;
    }

    /** Decodes a record whose checksum matched; a record that does not parse is a bug or damage, and throws. */
    static LogRecord decode(byte[] payload) {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        long version = buf.getLong();
        int count = buf.getInt();
        List<Effect> effects = new ArrayList<>(Math.min(count, payload.length / 9));
        for (int i = 0; i < count; i++) {
            byte kind = buf.get();
            byte[] key = bytes(buf);
            effects.add(switch (kind) {
                case SET -> Effect.set(key, bytes(buf));
                case CLEAR -> Effect.clear(key, bytes(buf));
                case MUTATE -> new Mutations(key, mutations(buf));
                default -> throw new IllegalArgumentException("unknown effect kind " + kind);
            });
        }
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException(buf.remaining() + " bytes after the last effect");
        }
        return new LogRecord(version, effects);
    }

    private static List<WriteBuffer.Mutation> mutations(ByteBuffer buf) {
        int count = buf.getInt();
        List<WriteBuffer.Mutation> ops = new ArrayList<>(Math.min(count, buf.remaining() / 8));
        for (int i = 0; i < count; i++) {
            int code = buf.getInt();
            MutationType type = MUTATIONS_BY_CODE.get(code);
            if (type == null) {
                throw new IllegalArgumentException("unknown mutation code " + code);
            }
            ops.add(new WriteBuffer.Mutation(type, bytes(buf)));
        }
        return ops;
    }

    private static byte[] bytes(ByteBuffer buf) {
        byte[] out = new byte[buf.getInt()];
        buf.get(out);
        return out;
    }
}
