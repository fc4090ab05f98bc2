package ai.coditect.shared.store.embedded;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * FoundationDB's resolver in miniature: for every key, the version of the last commit whose write conflict
 * ranges covered it, kept as a step function ({@code boundary -> version} holds up to the next boundary). A
 * transaction conflicts when any of its read ranges was written after its read version. Only the committer
 * uses it, under the commit lock.
 */
final class ConflictTracker {
    private static final byte[] START = new byte[0];

    private final TreeMap<byte[], Long> steps = new TreeMap<>(Arrays::compareUnsigned);
    private int sizeAfterCompaction;

    ConflictTracker() {
        steps.put(START, 0L);
    }

    /** The newest version that wrote anything in {@code [begin, end)}. */
    long lastWriteIn(byte[] begin, byte[] end) {
        if (Arrays.compareUnsigned(begin, end) >= 0) {
            return 0;
        }
        long newest = steps.floorEntry(begin).getValue();
        for (long v : steps.subMap(begin, false, end, false).values()) {
            newest = Math.max(newest, v);
        }
        return newest;
    }

    void recordWrite(byte[] begin, byte[] end, long version) {
        if (Arrays.compareUnsigned(begin, end) >= 0) {
            return;
        }
        long afterEnd = steps.floorEntry(end).getValue();
        if (!isSingleKey(begin, end)) { // a single key's range has no boundary strictly inside it
            steps.subMap(begin, true, end, true).clear();
        }
        steps.put(begin, version);
        steps.put(end, afterEnd);
    }

    private static boolean isSingleKey(byte[] begin, byte[] end) {
        return end.length == begin.length + 1 && end[begin.length] == 0
                && Arrays.equals(begin, 0, begin.length, end, 0, begin.length);
    }

    /**
     * Forgets writes at or below {@code horizon}: no transaction that may still commit has a read version below
     * it, so those writes can no longer conflict. Runs when the map has doubled since the last compaction.
     */
    void compactIfLarge(long horizon) {
        if (steps.size() < 2 * sizeAfterCompaction + 1024) {
            return;
        }
        long previous = -1;
        Iterator<Map.Entry<byte[], Long>> it = steps.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<byte[], Long> e = it.next();
            long v = e.getValue() <= horizon ? 0 : e.getValue();
            if (v == previous && e.getKey().length > 0) {
                it.remove();
            } else {
                e.setValue(v);
                previous = v;
            }
        }
        sizeAfterCompaction = steps.size();
    }

    int size() {
        return steps.size();
    }
}
