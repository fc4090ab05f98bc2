package ai.coditect.bench;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.FDBException;
import com.apple.foundationdb.KeySelector;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * FoundationDB-style simulation of the embedded engine: from one seed, a few concurrent transactions interleave
 * random sets, clears, range clears, atomic operations, versionstamps, point reads, range reads (selectors,
 * limits, reverse) and snapshot reads, and commit or give up, on one thread so that a seed replays exactly.
 * A plain model checks that every read sees the transaction's own writes (read-your-writes), that every
 * committed transaction's reads still hold when its commits are replayed in commit order (serializability),
 * that a conflict is reported only where FoundationDB reports one, and that the data equals the model (on a
 * directory, also after closing and opening it again).
 * Usage: {@code ./coditect bench store-sim [seconds, default 60] [seed]}.
 */
public final class StoreSimulation {
    /** Thrown when the engine and the model disagree; the message starts with the seed that replays it. */
    public static final class Divergence extends AssertionError {
        Divergence(long seed, int step, String what) {
            super("seed " + seed + ", step " + step + ": " + what);
        }
    }

    /** What one run did. */
    public record Counts(long transactions, long commits, long conflicts, long reads) {
        Counts plus(Counts o) {
            return new Counts(transactions + o.transactions, commits + o.commits, conflicts + o.conflicts,
                    reads + o.reads);
        }
    }

    private static final byte[] FIRST = new byte[0];
    private static final byte[] SYSTEM = {(byte) 0xff};
    /** The view's mark for a key awaiting a versionstamped value, which cannot be read before commit. */
    private static final byte[] UNREADABLE = new byte[0];
    private static final int SLOTS = 5;
    private static final MutationType[] ATOMICS = {MutationType.ADD, MutationType.BIT_AND, MutationType.BIT_OR,
        MutationType.BIT_XOR, MutationType.MAX, MutationType.MIN, MutationType.BYTE_MAX, MutationType.BYTE_MIN,
        MutationType.APPEND_IF_FITS, MutationType.COMPARE_AND_CLEAR};

    private final long seed;
    private final SplittableRandom random;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    /** Small log segments, so that a run on a directory also writes snapshots and deletes covered segments. */
    private static final long SEGMENT_BYTES = 4 * 1024;

    private EmbeddedDatabase db;
    private final TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    private final List<Committed> history = new ArrayList<>();
    private final Sim[] slots = new Sim[SLOTS];
    private long lastVersion;
    private int step;
    private long transactions;
    private long commits;
    private long conflicts;
    private long reads;

    private StoreSimulation(long seed, EmbeddedDatabase db) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.db = db;
    }

    /** Runs {@code steps} random steps from {@code seed}; throws {@link Divergence} on the first disagreement. */
    public static Counts run(long seed, int steps) {
        return run(new StoreSimulation(seed, EmbeddedDatabase.inMemory(CLOCK)), steps, null);
    }

    /**
     * The same on a durable database in {@code dir} (empty), which is then closed and opened again: the
     * recovered data must equal the model too.
     */
    public static Counts runOnDirectory(long seed, int steps, Path dir) throws IOException {
        return run(new StoreSimulation(seed, EmbeddedDatabase.open(dir, CLOCK, SEGMENT_BYTES)), steps, dir);
    }

    private static Counts run(StoreSimulation sim, int steps, Path dir) {
        try {
            try (EmbeddedDatabase ignored = sim.db) {
                for (sim.step = 0; sim.step < steps; sim.step++) {
                    sim.step();
                }
                for (Sim s : sim.slots) {
                    if (s != null) {
                        s.tr.close();
                    }
                }
                sim.checkData();
            }
            if (dir != null) {
                sim.db = EmbeddedDatabase.open(dir, CLOCK, SEGMENT_BYTES);
                try (EmbeddedDatabase ignored = sim.db) {
                    sim.checkData();
                }
            }
        } catch (Divergence d) {
            throw d;
        } catch (RuntimeException | IOException e) {
            throw (Divergence) new Divergence(sim.seed, sim.step, "unexpected " + e).initCause(e);
        }
        return new Counts(sim.transactions, sim.commits, sim.conflicts, sim.reads);
    }

    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 60;
        long first = args.length > 1 ? Long.parseLong(args[1]) : new SplittableRandom().nextLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        Counts total = new Counts(0, 0, 0, 0);
        long seeds = 0;
        for (long seed = first; seeds == 0 || System.nanoTime() < deadline; seed++, seeds++) {
            try {
                total = total.plus(runSeed(seed));
            } catch (Divergence d) {
                System.out.println("DIVERGENCE " + d.getMessage());
                System.out.println("replay: ./coditect bench store-sim 0 " + seed);
                d.printStackTrace(System.out);
                System.exit(1);
            }
        }
        System.out.printf("store simulation: %d seeds from %d, %d transactions, %d commits, %d conflicts, "
                + "%d reads checked, no divergence%n", seeds, first, total.transactions(), total.commits(),
                total.conflicts(), total.reads());
    }

    /** One seed: in memory, or every eighth seed on a directory that is reopened at the end. */
    static Counts runSeed(long seed) throws IOException {
        if (Math.floorMod(seed, 8) != 0) {
            return run(seed, 2_000);
        }
        Path dir = Files.createTempDirectory("coditect-store-sim");
        try {
            return runOnDirectory(seed, 2_000, dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ---- one step ----

    private void step() {
        int i = random.nextInt(SLOTS);
        if (slots[i] == null) {
            slots[i] = begin();
            return;
        }
        Sim s = slots[i];
        int roll = random.nextInt(100);
        if (roll < 8 || s.ops.size() + s.reads > 24) {
            commit(s);
            slots[i] = null;
        } else if (roll < 10) {
            s.tr.close();
            slots[i] = null;
        } else if (roll < 55) {
            write(s);
        } else {
            read(s);
        }
        if (step % 97 == 0) {
            checkData();
        }
    }

    private Sim begin() {
        Transaction tr = db.createTransaction();
        long rv = tr.getReadVersion().join();
        if (rv != lastVersion) {
            fail("read version " + rv + " but the last commit was " + lastVersion);
        }
        transactions++;
        return new Sim(tr, rv, copy(model));
    }

    // ---- writes ----

    private void write(Sim s) {
        int roll = random.nextInt(100);
        Op op;
        if (roll < 30) {
            op = new Set(dataKey(), value());
        } else if (roll < 42) {
            op = new Clear(dataKey());
        } else if (roll < 52) {
            byte[][] r = ordered(boundary(), boundary());
            op = new ClearRange(r[0], r[1]);
        } else if (roll < 57) {
            byte[][] r = ordered(stampBoundary(), stampBoundary());
            op = new ClearRange(r[0], r[1]);
        } else if (roll < 77) {
            byte[] key = dataKey();
            if (s.view().get(key) == UNREADABLE) {
                return; // FoundationDB refuses an atomic operation on a key awaiting a versionstamped value
            }
            op = new Atomic(ATOMICS[random.nextInt(ATOMICS.length)], key, value());
        } else if (roll < 85) {
            op = new StampedKey(new byte[] {'v', (byte) random.nextInt(3)}, value());
        } else if (roll < 93) {
            op = new StampedValue(new byte[] {'s', (byte) random.nextInt(4)}, value());
        } else {
            byte[][] r = ordered(boundary(), boundary());
            op = new WriteConflict(r[0], r[1]);
        }
        apply(s, op);
    }

    private void apply(Sim s, Op op) {
        switch (op) {
            case Set w -> s.tr.set(w.key(), w.value());
            case Clear w -> s.tr.clear(w.key());
            case ClearRange w -> s.tr.clear(w.begin(), w.end());
            case Atomic w -> s.tr.mutate(w.type(), w.key(), w.param());
            case StampedKey w -> {
                byte[] template = join(new byte[] {'v'}, new byte[10], w.suffix());
                s.tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, join(template, le32(1)), w.value());
                byte[] highest = template.clone();
                Arrays.fill(highest, 1, 11, (byte) 0xff);
                s.pendingStamps.add(new byte[][] {join(new byte[] {'v'}, stamp(s.readVersion), w.suffix()),
                    after(highest)});
            }
            case StampedValue w -> s.tr.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, w.key(),
                    join(w.prefix(), new byte[10], le32(w.prefix().length)));
            case WriteConflict w -> s.tr.addWriteConflictRange(w.begin(), w.end());
        }
        if (op instanceof ClearRange c) {
            s.pendingStamps.removeIf(p -> compare(c.begin(), p[0]) <= 0 && compare(p[1], c.end()) <= 0);
        }
        s.ops.add(op);
        s.viewCache = null;
    }

    // ---- reads ----

    private void read(Sim s) {
        reads++;
        s.reads++;
        boolean snapshot = random.nextInt(4) == 0;
        ReadTransaction rt = snapshot ? s.tr.snapshot() : s.tr;
        int roll = random.nextInt(100);
        boolean pending = !s.pendingStamps.isEmpty() || s.view().containsValue(UNREADABLE);
        if (roll < 35) {
            byte[] key = random.nextInt(5) == 0 ? stampedValueKey() : dataKey();
            Read r = new Read.Get(key);
            check(s, r, snapshot, () -> rt.get(key).join());
        } else if (roll < 75 || pending) {
            byte[][] b = ordered(boundary(), boundary());
            if (!pending && random.nextInt(6) == 0) {
                b = new byte[][] {FIRST, SYSTEM};
            }
            if (random.nextInt(8) == 0) {
                b = new byte[][] {new byte[] {'v'}, new byte[] {'w'}};
            }
            int limit = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(6);
            boolean reverse = random.nextBoolean();
            byte[][] range = b;
            Read r = new Read.Range(KeySelector.firstGreaterOrEqual(range[0]),
                    KeySelector.firstGreaterOrEqual(range[1]), limit, reverse);
            check(s, r, snapshot, () -> rt.getRange(range[0], range[1], limit, reverse).asList().join());
        } else if (roll < 88) {
            KeySelector sel = selector();
            Read r = new Read.GetKey(sel);
            check(s, r, snapshot, () -> rt.getKey(sel).join());
        } else if (roll < 96) {
            KeySelector from = selector();
            KeySelector to = selector();
            int limit = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(6);
            boolean reverse = random.nextBoolean();
            Read r = new Read.Range(from, to, limit, reverse);
            check(s, r, snapshot, () -> rt.getRange(from, to, limit, reverse).asList().join());
        } else {
            byte[][] b = ordered(boundary(), boundary());
            s.tr.addReadConflictRange(b[0], b[1]);
            s.conflictSpans.addAll(minus(b[0], b[1], s.independent()));
        }
    }

    private interface Call {
        Object get();
    }

    /** Reads from the engine and from the model and compares; records what the read depends on. */
    private void check(Sim s, Read read, boolean snapshot, Call engine) {
        TreeMap<byte[], byte[]> view = s.view();
        Answer expected = answer(view, s, read);
        Object actual;
        try {
            actual = engine.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof FDBException f && f.getCode() == 1036 && expected.unreadable()) {
                if (!snapshot) { // the part read before the unreadable key may have added conflicts
                    List<byte[]> independent = s.independent();
                    expected.spans().forEach(span -> s.conflictSpans.addAll(minus(span[0], span[1], independent)));
                }
                return;
            }
            throw fail("read " + read + " failed: " + e.getCause() + "; expected " + expected);
        }
        if (expected.unreadable()) {
            throw fail("read " + read + " gave " + show(actual) + "; expected accessed_unreadable (1036)");
        }
        if (!same(actual, expected.result())) {
            throw fail("read-your-writes: " + read + " gave " + show(actual) + "; expected "
                    + show(expected.result()) + " (snapshot " + snapshot + ")");
        }
        if (!snapshot) {
            s.checkedReads.add(new CheckedRead(read, s.ops.size(), expected.result()));
            List<byte[]> independent = s.independent();
            for (byte[][] span : expected.spans()) {
                List<byte[][]> remaining = minus(span[0], span[1], independent);
                s.conflictSpans.addAll(remaining);
                if (expected.precise()) {
                    s.preciseSpans.addAll(remaining);
                }
            }
        }
    }

    // ---- commit ----

    private void commit(Sim s) {
        boolean writes = s.ops.stream().anyMatch(op -> !(op instanceof WriteConflict))
                || s.ops.stream().anyMatch(op -> op instanceof WriteConflict w && compare(w.begin(), w.end()) < 0);
        boolean precise = conflictsWith(s.readVersion, s.preciseSpans);
        boolean any = conflictsWith(s.readVersion, s.conflictSpans);
        try {
            s.tr.commit().join();
        } catch (CompletionException e) {
            s.tr.close();
            if (e.getCause() instanceof FDBException f && f.getCode() == 1020) {
                conflicts++;
                if (!any) {
                    throw fail("spurious conflict: no transaction committed since read version " + s.readVersion
                            + " wrote what it read: " + showSpans(s.conflictSpans));
                }
                return;
            }
            throw fail("commit failed: " + e.getCause());
        }
        if (!writes) {
            s.tr.close();
            return; // read-only: serialized at its read version, which read-your-writes already checked
        }
        if (precise) {
            throw fail("missed conflict: a transaction committed after read version " + s.readVersion
                    + " wrote what it read: " + showSpans(s.preciseSpans));
        }
        long version = s.tr.getCommittedVersion();
        byte[] stamp = s.tr.getVersionstamp().join();
        s.tr.close();
        if (version <= lastVersion) {
            throw fail("commit version " + version + " after " + lastVersion);
        }
        // serializability: every read gives the same answer at the commit's place in the commit order
        for (CheckedRead r : s.checkedReads) {
            TreeMap<byte[], byte[]> at = apply(copy(model), s.ops.subList(0, r.opsBefore()), null);
            Answer again = answer(at, null, r.read());
            if (again.unreadable() || !same(r.result(), again.result())) {
                throw fail("not serializable: " + r.read() + " gave " + show(r.result()) + " but gives "
                        + show(again.result()) + " when replayed at commit version " + version);
            }
        }
        apply(model, s.ops, stamp);
        history.add(new Committed(version, writeSpans(s.ops, stamp)));
        lastVersion = version;
        commits++;
    }

    private boolean conflictsWith(long readVersion, List<byte[][]> spans) {
        for (Committed c : history) {
            if (c.version() <= readVersion) {
                continue;
            }
            for (byte[][] w : c.writes()) {
                for (byte[][] r : spans) {
                    if (compare(w[0], r[1]) < 0 && compare(r[0], w[1]) < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private List<byte[][]> writeSpans(List<Op> ops, byte[] stamp) {
        List<byte[][]> spans = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            switch (ops.get(i)) {
                case Set w -> spans.add(point(w.key()));
                case Clear w -> spans.add(point(w.key()));
                case Atomic w -> spans.add(point(w.key()));
                case StampedValue w -> spans.add(point(w.key()));
                case ClearRange w -> spans.add(new byte[][] {w.begin(), w.end()});
                case WriteConflict w -> spans.add(new byte[][] {w.begin(), w.end()});
                case StampedKey w -> {
                    byte[] key = join(new byte[] {'v'}, stamp, w.suffix());
                    if (!clearedLater(ops, i, key)) {
                        spans.add(point(key));
                    }
                }
            }
        }
        spans.removeIf(r -> compare(r[0], r[1]) >= 0);
        return spans;
    }

    private static boolean clearedLater(List<Op> ops, int index, byte[] key) {
        for (Op op : ops.subList(index + 1, ops.size())) {
            if (op instanceof ClearRange c && compare(c.begin(), key) <= 0 && compare(key, c.end()) < 0) {
                return true;
            }
            if (op instanceof Clear c && Arrays.equals(c.key(), key)) {
                return true;
            }
        }
        return false;
    }

    private void checkData() {
        List<KeyValue> all = db.read(tr -> tr.getRange(FIRST, SYSTEM).asList().join());
        List<KeyValue> expected = new ArrayList<>();
        model.forEach((k, v) -> expected.add(new KeyValue(k, v)));
        if (!same(all, expected)) {
            throw fail("data differs from the model: " + show(all) + " expected " + show(expected));
        }
    }

    // ---- the model ----

    private record Answer(Object result, boolean unreadable, List<byte[][]> spans, boolean precise) {
    }

    /**
     * What a read returns in {@code view} (or 1036), and the key spans it depends on: FoundationDB's read
     * conflict ranges before the transaction's own writes are taken out. {@code s} is null when replaying.
     */
    private Answer answer(TreeMap<byte[], byte[]> view, Sim s, Read read) {
        List<byte[][]> stamps = s == null ? List.of() : s.pendingStamps;
        switch (read) {
            case Read.Get g -> {
                byte[] v = view.get(g.key());
                boolean unreadable = v == UNREADABLE || overlaps(stamps, g.key(), after(g.key()));
                return new Answer(v, unreadable, List.<byte[][]>of(point(g.key())), true);
            }
            case Read.GetKey g -> {
                List<byte[][]> spans = new ArrayList<>();
                byte[] key = resolve(view, g.selector(), spans);
                return new Answer(key, false, spans, false);
            }
            case Read.Range r -> {
                List<byte[][]> spans = new ArrayList<>();
                byte[] b = boundary(view, r.begin(), spans);
                byte[] e = boundary(view, r.end(), spans);
                boolean plain = spans.isEmpty();
                List<KeyValue> out = new ArrayList<>();
                if (compare(b, e) >= 0) {
                    return new Answer(out, false, spans, plain);
                }
                var keys = r.reverse() ? view.subMap(b, true, e, false).descendingMap()
                        : view.subMap(b, true, e, false);
                boolean unreadable = false;
                byte[] last = null;
                for (Map.Entry<byte[], byte[]> kv : keys.entrySet()) {
                    if (r.limit() > 0 && out.size() >= r.limit()) {
                        break;
                    }
                    if (kv.getValue() == UNREADABLE) {
                        unreadable = true;
                        break;
                    }
                    out.add(new KeyValue(kv.getKey(), kv.getValue()));
                    last = kv.getKey();
                }
                boolean full = r.limit() == 0 || out.size() < r.limit();
                byte[][] span = full ? new byte[][] {b, e}
                        : r.reverse() ? new byte[][] {last, e} : new byte[][] {b, after(last)};
                unreadable |= overlaps(stamps, span[0], span[1]);
                spans.add(span);
                return new Answer(out, unreadable, spans, plain);
            }
        }
    }

    /** A range boundary: first-greater-or-equal is taken as is, others resolve like getKey. */
    private static byte[] boundary(TreeMap<byte[], byte[]> view, KeySelector sel, List<byte[][]> spans) {
        if (sel.getOffset() == 1 && !sel.orEqual()) {
            return sel.getKey();
        }
        return resolve(view, sel, spans);
    }

    /** FoundationDB's selector resolution over the user keys, clamped to {@code ""} and {@code \xff}. */
    private static byte[] resolve(TreeMap<byte[], byte[]> view, KeySelector sel, List<byte[][]> spans) {
        byte[] key = sel.getKey();
        int offset = sel.getOffset();
        if (offset >= 1) {
            byte[] from = sel.orEqual() ? after(key) : key;
            if (compare(from, SYSTEM) >= 0) {
                return SYSTEM;
            }
            byte[] found = nth(view.tailMap(from, true).keySet(), offset);
            spans.add(new byte[][] {from, found == null ? SYSTEM : after(found)});
            return found == null ? SYSTEM : found;
        }
        byte[] to = min(sel.orEqual() ? after(key) : key, SYSTEM);
        byte[] found = nth(view.headMap(to, false).descendingKeySet(), 1 - offset);
        spans.add(new byte[][] {found == null ? FIRST : found, to});
        return found == null ? FIRST : found;
    }

    private static byte[] nth(Iterable<byte[]> keys, int n) {
        int i = 0;
        for (byte[] k : keys) {
            if (compare(k, SYSTEM) >= 0) {
                return null;
            }
            if (++i == n) {
                return k;
            }
        }
        return null;
    }

    /** Applies writes in order; {@code stamp} null means not committed yet (versionstamped values unreadable). */
    private static TreeMap<byte[], byte[]> apply(TreeMap<byte[], byte[]> map, List<Op> ops, byte[] stamp) {
        for (Op op : ops) {
            switch (op) {
                case Set w -> map.put(w.key(), w.value());
                case Clear w -> map.remove(w.key());
                case ClearRange w -> {
                    if (compare(w.begin(), w.end()) < 0) {
                        map.subMap(w.begin(), w.end()).clear();
                    }
                }
                case Atomic w -> {
                    byte[] v = atomic(w.type(), map.get(w.key()), w.param());
                    if (v == null) {
                        map.remove(w.key());
                    } else {
                        map.put(w.key(), v);
                    }
                }
                case StampedKey w -> {
                    if (stamp != null) {
                        map.put(join(new byte[] {'v'}, stamp, w.suffix()), w.value());
                    }
                }
                case StampedValue w -> map.put(w.key(), stamp == null ? UNREADABLE : join(w.prefix(), stamp));
                case WriteConflict w -> {
                }
            }
        }
        return map;
    }

    /** FoundationDB's atomic operations, written from its documentation. */
    static byte[] atomic(MutationType type, byte[] current, byte[] param) {
        int n = param.length;
        switch (type) {
            case ADD -> {
                if (current == null) {
                    return param.clone();
                }
                byte[] out = new byte[n];
                int carry = 0;
                for (int i = 0; i < n; i++) {
                    int sum = (i < current.length ? current[i] & 0xff : 0) + (param[i] & 0xff) + carry;
                    out[i] = (byte) sum;
                    carry = sum >> 8;
                }
                return out;
            }
            case BIT_AND, BIT_OR, BIT_XOR -> {
                if (current == null && type == MutationType.BIT_AND) {
                    return param.clone();
                }
                byte[] c = current == null ? new byte[0] : current;
                byte[] out = new byte[n];
                for (int i = 0; i < n; i++) {
                    int a = i < c.length ? c[i] & 0xff : 0;
                    int b = param[i] & 0xff;
                    out[i] = (byte) (type == MutationType.BIT_AND ? a & b : type == MutationType.BIT_OR ? a | b
                            : a ^ b);
                }
                return out;
            }
            case MAX, MIN -> {
                if (current == null) {
                    return param.clone();
                }
                byte[] c = Arrays.copyOf(current, n);
                int cmp = 0;
                for (int i = n - 1; i >= 0 && cmp == 0; i--) {
                    cmp = Integer.compare(c[i] & 0xff, param[i] & 0xff);
                }
                return (type == MutationType.MAX ? cmp >= 0 : cmp <= 0) ? c : param.clone();
            }
            case BYTE_MAX -> {
                return current == null || compare(current, param) < 0 ? param.clone() : current;
            }
            case BYTE_MIN -> {
                return current == null || compare(current, param) > 0 ? param.clone() : current;
            }
            case APPEND_IF_FITS -> {
                return current == null ? param.clone() : current.length + n > 100_000 ? current
                        : join(current, param);
            }
            case COMPARE_AND_CLEAR -> {
                return current != null && Arrays.equals(current, param) ? null : current;
            }
            default -> throw new IllegalArgumentException(type.toString());
        }
    }

    // ---- a transaction under simulation ----

    private sealed interface Op permits Set, Clear, ClearRange, Atomic, StampedKey, StampedValue, WriteConflict {
    }

    private record Set(byte[] key, byte[] value) implements Op {
    }

    private record Clear(byte[] key) implements Op {
    }

    private record ClearRange(byte[] begin, byte[] end) implements Op {
    }

    private record Atomic(MutationType type, byte[] key, byte[] param) implements Op {
    }

    /** A versionstamped key {@code 'v' + stamp + suffix}. */
    private record StampedKey(byte[] suffix, byte[] value) implements Op {
    }

    /** A versionstamped value {@code prefix + stamp} at {@code key}. */
    private record StampedValue(byte[] key, byte[] prefix) implements Op {
    }

    private record WriteConflict(byte[] begin, byte[] end) implements Op {
    }

    private sealed interface Read permits Read.Get, Read.GetKey, Read.Range {
        record Get(byte[] key) implements Read {
            @Override
            public String toString() {
                return "get(" + hex(key) + ")";
            }
        }

        record GetKey(KeySelector selector) implements Read {
            @Override
            public String toString() {
                return "getKey(" + show(selector) + ")";
            }
        }

        record Range(KeySelector begin, KeySelector end, int limit, boolean reverse) implements Read {
            @Override
            public String toString() {
                return "getRange(" + show(begin) + ", " + show(end) + ", limit " + limit + ", reverse " + reverse
                        + ")";
            }
        }
    }

    private record CheckedRead(Read read, int opsBefore, Object result) {
    }

    private record Committed(long version, List<byte[][]> writes) {
    }

    private static final class Sim {
        final Transaction tr;
        final long readVersion;
        final TreeMap<byte[], byte[]> base;
        final List<Op> ops = new ArrayList<>();
        final List<CheckedRead> checkedReads = new ArrayList<>();
        /** Where pending versionstamped keys may land: {begin, end}. */
        final List<byte[][]> pendingStamps = new ArrayList<>();
        /** Read conflict spans as FoundationDB adds them (selectors and explicit ranges included). */
        final List<byte[][]> conflictSpans = new ArrayList<>();
        /** The part of them from point and plain range reads, which the engine must check exactly. */
        final List<byte[][]> preciseSpans = new ArrayList<>();
        int reads;
        TreeMap<byte[], byte[]> viewCache;

        Sim(Transaction tr, long readVersion, TreeMap<byte[], byte[]> base) {
            this.tr = tr;
            this.readVersion = readVersion;
            this.base = base;
        }

        TreeMap<byte[], byte[]> view() {
            if (viewCache == null) {
                viewCache = apply(copy(base), ops, null);
            }
            return viewCache;
        }

        /** Spans the transaction wrote without depending on the committed value: sets, clears, stamped values. */
        List<byte[]> independent() {
            List<byte[]> spans = new ArrayList<>();
            for (Op op : ops) {
                switch (op) {
                    case Set w -> spans.addAll(List.of(w.key(), after(w.key())));
                    case Clear w -> spans.addAll(List.of(w.key(), after(w.key())));
                    case StampedValue w -> spans.addAll(List.of(w.key(), after(w.key())));
                    case ClearRange w -> spans.addAll(List.of(w.begin(), w.end()));
                    default -> {
                    }
                }
            }
            return spans;
        }
    }

    /** {@code [begin, end)} less the spans in {@code taken} (flattened begin/end pairs). */
    private static List<byte[][]> minus(byte[] begin, byte[] end, List<byte[]> taken) {
        List<byte[][]> out = new ArrayList<>();
        out.add(new byte[][] {begin, end});
        for (int i = 0; i < taken.size(); i += 2) {
            byte[] tb = taken.get(i);
            byte[] te = taken.get(i + 1);
            List<byte[][]> next = new ArrayList<>();
            for (byte[][] r : out) {
                if (compare(te, r[0]) <= 0 || compare(r[1], tb) <= 0) {
                    next.add(r);
                    continue;
                }
                if (compare(r[0], tb) < 0) {
                    next.add(new byte[][] {r[0], tb});
                }
                if (compare(te, r[1]) < 0) {
                    next.add(new byte[][] {te, r[1]});
                }
            }
            out = next;
        }
        out.removeIf(r -> compare(r[0], r[1]) >= 0);
        return out;
    }

    private static boolean overlaps(List<byte[][]> ranges, byte[] begin, byte[] end) {
        for (byte[][] r : ranges) {
            if (compare(r[0], end) < 0 && compare(begin, r[1]) < 0) {
                return true;
            }
        }
        return false;
    }

    // ---- random keys and values ----

    /** Data keys {@code 'k' + one or two small bytes}: few enough that transactions collide. */
    private byte[] dataKey() {
        return random.nextInt(3) == 0 ? new byte[] {'k', (byte) random.nextInt(6), (byte) random.nextInt(3)}
                : new byte[] {'k', (byte) random.nextInt(6)};
    }

    private byte[] stampedValueKey() {
        return new byte[] {'s', (byte) random.nextInt(4)};
    }

    private byte[] boundary() {
        return switch (random.nextInt(12)) {
            case 0 -> FIRST;
            case 1 -> new byte[] {'k'};
            case 2 -> new byte[] {'l'};
            case 3 -> new byte[] {'t'};
            case 4 -> new byte[] {'z'};
            default -> dataKey();
        };
    }

    private byte[] stampBoundary() {
        return switch (random.nextInt(4)) {
            case 0 -> new byte[] {'v'};
            case 1 -> new byte[] {'w'};
            default -> join(new byte[] {'v'}, stamp(lastVersion + random.nextInt(4)));
        };
    }

    private KeySelector selector() {
        return new KeySelector(boundary(), random.nextBoolean(), random.nextInt(5) - 2);
    }

    private byte[] value() {
        byte[] v = new byte[1 + random.nextInt(3)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) random.nextInt(4);
        }
        return v;
    }

    private static byte[][] ordered(byte[] a, byte[] b) {
        return compare(a, b) <= 0 ? new byte[][] {a, b} : new byte[][] {b, a};
    }

    // ---- bytes ----

    private static byte[] stamp(long version) {
        return ByteBuffer.allocate(10).putLong(version).putShort((short) 0).array();
    }

    private static byte[] le32(int n) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
    }

    private static byte[] join(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] after(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private static byte[][] point(byte[] key) {
        return new byte[][] {key, after(key)};
    }

    private static byte[] min(byte[] a, byte[] b) {
        return compare(a, b) <= 0 ? a : b;
    }

    private static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    private static TreeMap<byte[], byte[]> copy(TreeMap<byte[], byte[]> map) {
        return new TreeMap<>(map);
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                KeyValue p = (KeyValue) x.get(i);
                KeyValue q = (KeyValue) y.get(i);
                if (!Arrays.equals(p.getKey(), q.getKey()) || !Arrays.equals(p.getValue(), q.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return a == null && b == null;
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    private static String show(KeySelector s) {
        return "(" + hex(s.getKey()) + ", orEqual " + s.orEqual() + ", offset " + s.getOffset() + ")";
    }

    private static String show(Object o) {
        if (o instanceof byte[] b) {
            return hex(b);
        }
        if (o instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object e : list) {
                KeyValue kv = (KeyValue) e;
                out.add(hex(kv.getKey()) + "=" + hex(kv.getValue()));
            }
            return out.toString();
        }
        return String.valueOf(o);
    }

    private static String showSpans(List<byte[][]> spans) {
        List<String> out = new ArrayList<>();
        for (byte[][] s : spans) {
            out.add("[" + hex(s[0]) + ", " + hex(s[1]) + ")");
        }
        return out.toString();
    }

    private Divergence fail(String what) {
        throw new Divergence(seed, step, what);
    }
}
