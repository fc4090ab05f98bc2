package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.MutationType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The uncommitted writes of one transaction, kept so that its own reads see them (read-your-writes): the last
 * write of each key, and the ranges cleared since, which hide committed keys.
 */
final class WriteBuffer {
    /** What the transaction has done to one key. */
    static final class Pending {
        private final boolean known;
        private final byte[] value;
        private final List<Mutation> ops;
        private final int versionstampOffset;

        private Pending(boolean known, byte[] value, List<Mutation> ops, int versionstampOffset) {
            this.known = known;
            this.value = value;
            this.ops = ops;
            this.versionstampOffset = versionstampOffset;
        }

        /** A value (or a clear, for {@code null}) that no longer depends on what is committed. */
        static Pending value(byte[] value) {
            return new Pending(true, value, List.of(), -1);
        }

        static Pending versionstampedValue(byte[] template, int offset) {
            return new Pending(true, template, List.of(), offset);
        }

        /** True when the value depends on the committed one: only atomic mutations were applied. */
        boolean needsBase() {
            return !known;
        }

        /** The atomic mutations to apply to the committed value, when {@link #needsBase()}. */
        List<Mutation> mutations() {
            return ops;
        }

        boolean isVersionstamped() {
            return versionstampOffset >= 0;
        }

        /** The key's value as this transaction sees it, given the committed value when {@link #needsBase()}. */
        byte[] resolve(byte[] base) {
            if (isVersionstamped()) {
                throw FdbErrors.error(FdbErrors.ACCESSED_UNREADABLE);
            }
            if (known) {
                return value;
            }
            byte[] v = base;
            for (Mutation op : ops) {
                v = AtomicOps.apply(op.type(), v, op.param());
            }
            return v;
        }

        /** The value to commit, with the commit's versionstamp filled in where one is awaited. */
        byte[] commitValue(byte[] base, byte[] versionstamp) {
            if (isVersionstamped()) {
                return Versionstamps.fill(value, versionstampOffset, versionstamp);
            }
            return resolve(base);
        }

        /** Bytes this key's writes take in the commit. */
        long bytes(int keyLength) {
            if (known) {
                return keyLength + (value == null ? keyLength + 1 : value.length);
            }
            long bytes = 0;
            for (Mutation op : ops) {
                bytes += keyLength + op.param().length;
            }
            return bytes;
        }

        Pending then(Mutation op) {
            if (known) {
                return value(AtomicOps.apply(op.type(), value, op.param()));
            }
            List<Mutation> more = new ArrayList<>(ops);
            more.add(op);
            return new Pending(false, null, more, -1);
        }

        static Pending onUnknownBase(Mutation op) {
            return new Pending(false, null, List.of(op), -1);
        }
    }

    record Mutation(MutationType type, byte[] param) {
    }

    /**
     * A SET_VERSIONSTAMPED_KEY whose key is known only at commit. Until then the transaction cannot read
     * {@code [possibleBegin, possibleEnd)}, where it may land; clears issued after it (from index
     * {@code clearsBefore} of {@link #clearsInOrder}) still apply to it, as FoundationDB applies mutations in
     * the order they were made.
     */
    record VersionstampedKey(byte[] template, int offset, byte[] value, boolean writeConflict,
                             byte[] possibleBegin, byte[] possibleEnd, int clearsBefore) {
        boolean isClearedBy(byte[] begin, byte[] end) {
            return Arrays.compareUnsigned(begin, possibleBegin) <= 0 && Arrays.compareUnsigned(possibleEnd, end) <= 0;
        }
    }

    final TreeMap<byte[], Pending> points = new TreeMap<>(Arrays::compareUnsigned);
    /** Cleared ranges, {@code begin -> end}, disjoint and not adjacent. */
    final TreeMap<byte[], byte[]> cleared = new TreeMap<>(Arrays::compareUnsigned);
    final List<VersionstampedKey> versionstampedKeys = new ArrayList<>();
    /** Clears made while versionstamped keys are pending, {@code {begin, end}} in order. */
    final List<byte[][]> clearsInOrder = new ArrayList<>();
    private boolean hasVersionstampedValues;

    boolean isEmpty() {
        return points.isEmpty() && cleared.isEmpty() && versionstampedKeys.isEmpty();
    }

    void set(byte[] key, byte[] value) {
        points.put(key, Pending.value(value));
    }

    void clear(byte[] key) {
        points.put(key, Pending.value(null));
        clearedAfterVersionstampedKeys(key, Arrays.copyOf(key, key.length + 1));
    }

    /** Returns false when the key awaits a versionstamped value, which FoundationDB cannot mutate further. */
    boolean mutate(MutationType type, byte[] key, byte[] param) {
        Mutation op = new Mutation(type, param);
        Pending existing = points.get(key);
        if (existing == null) {
            points.put(key, isCleared(key) ? Pending.value(AtomicOps.apply(type, null, param))
                    : Pending.onUnknownBase(op));
            return true;
        }
        if (existing.isVersionstamped()) {
            return false;
        }
        points.put(key, existing.then(op));
        return true;
    }

    void setVersionstampedValue(byte[] key, byte[] template, int offset) {
        points.put(key, Pending.versionstampedValue(template, offset));
        hasVersionstampedValues = true;
    }

    /** True when the commit must fill in its versionstamp somewhere. */
    boolean needsVersionstamp() {
        return hasVersionstampedValues || !versionstampedKeys.isEmpty();
    }

    void setVersionstampedKey(byte[] template, int offset, byte[] value, boolean writeConflict, byte[] possibleBegin,
                              byte[] possibleEnd) {
        versionstampedKeys.add(new VersionstampedKey(template, offset, value, writeConflict, possibleBegin,
                possibleEnd, clearsInOrder.size()));
    }

    /** True when the key a versionstamped key resolved to was cleared by a clear made after it. */
    boolean clearedAfter(VersionstampedKey vk, byte[] key) {
        for (int i = vk.clearsBefore(); i < clearsInOrder.size(); i++) {
            byte[][] c = clearsInOrder.get(i);
            if (Arrays.compareUnsigned(c[0], key) <= 0 && Arrays.compareUnsigned(key, c[1]) < 0) {
                return true;
            }
        }
        return false;
    }

    /** True when a pending versionstamped key may land in {@code [begin, end)}, which cannot be read then. */
    boolean isUnreadable(byte[] begin, byte[] end) {
        for (VersionstampedKey vk : versionstampedKeys) {
            if (Arrays.compareUnsigned(vk.possibleBegin(), end) < 0
                    && Arrays.compareUnsigned(begin, vk.possibleEnd()) < 0) {
                return true;
            }
        }
        return false;
    }

    private void clearedAfterVersionstampedKeys(byte[] begin, byte[] end) {
        if (versionstampedKeys.isEmpty()) {
            return;
        }
        // a clear over everywhere the key may land removes it outright, and with it the unreadable range
        versionstampedKeys.removeIf(vk -> vk.isClearedBy(begin, end));
        clearsInOrder.add(new byte[][] {begin, end});
    }

    /** Bytes of the writes as they will be sent at commit: the last write of each key, merged clears. */
    long bytes() {
        long bytes = 0;
        for (var e : points.entrySet()) {
            bytes += e.getValue().bytes(e.getKey().length);
        }
        for (var e : cleared.entrySet()) {
            bytes += e.getKey().length + e.getValue().length;
        }
        for (VersionstampedKey vk : versionstampedKeys) {
            bytes += vk.template().length + vk.value().length;
        }
        return bytes;
    }

    void clearRange(byte[] begin, byte[] end) {
        if (Arrays.compareUnsigned(begin, end) >= 0) {
            return;
        }
        clearedAfterVersionstampedKeys(begin, end);
        points.subMap(begin, true, end, false).clear();
        byte[] newBegin = begin;
        byte[] newEnd = end;
        Map.Entry<byte[], byte[]> before = cleared.floorEntry(begin);
        if (before != null && Arrays.compareUnsigned(before.getValue(), begin) >= 0) {
            newBegin = before.getKey();
            if (Arrays.compareUnsigned(before.getValue(), newEnd) > 0) {
                newEnd = before.getValue();
            }
        }
        Map<byte[], byte[]> overlapping = cleared.subMap(newBegin, true, end, true);
        for (byte[] e : overlapping.values()) {
            if (Arrays.compareUnsigned(e, newEnd) > 0) {
                newEnd = e;
            }
        }
        overlapping.clear();
        cleared.put(newBegin, newEnd);
    }

    boolean isCleared(byte[] key) {
        Map.Entry<byte[], byte[]> e = cleared.floorEntry(key);
        return e != null && Arrays.compareUnsigned(key, e.getValue()) < 0;
    }
}
