package ai.coditect.knowledge.search;

import ai.coditect.knowledge.index.Int8Vector;
import ai.coditect.shared.store.Keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * One tenant's vectors in memory as a flat int8 matrix, searched exactly: every row is scored with an integer dot
 * product against the quantized query, and the best candidates are re-scored with the float query against the
 * row and its fine part, which orders them as float32 would. No index is built, so a cold start costs only the
 * range read that fills the matrix.
 *
 * <p>The matrix is held in pages of {@value #PAGE_ROWS} rows, so it grows without copying and without slack
 * beyond the last page. The fine part of {@link Int8Vector} (a second byte per dimension) is kept here as four
 * bits per dimension: half the memory, and still within about 1/3,500 of the largest value, far below what separates
 * neighbours in float32's order.
 */
public final class VectorIndex {
    /** Candidates kept from the integer scan for the float re-scoring, per hit asked for. */
    private static final int CANDIDATES_PER_HIT = 8;
    private static final int MIN_CANDIDATES = 100;
    /** Below this many rows one thread scans faster than splitting the work. */
    private static final int PARALLEL_ROWS = 20_000;
    static final int PAGE_ROWS = 1 << 10;
    private static final int PAGE_SHIFT = 10;
    /** Levels of the four-bit fine part on each side of zero. */
    private static final int NIBBLE_MAX = 7;

    private final int dims;
    /** Bytes of one row's fine part: two dimensions to a byte. */
    private final int fineBytes;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private byte[][] pages = new byte[0][];
    private byte[][] finePages = new byte[0][];
    private float[] scales = new float[0];
    /** The scale of each row's four-bit fine part (0 for a vector stored without one). */
    private float[] fineScales = new float[0];
    private String[] documents = new String[0];
    private int[] chunkNos = new int[0];
    private int rows;
    private final ChunkRows rowOf = new ChunkRows();
    private final ArrayList<Integer> free = new ArrayList<>();

    public VectorIndex(int dims) {
        this.dims = dims;
        this.fineBytes = (dims + 1) / 2;
    }

    /** A row found by a search, with its score (cosine similarity, as the vectors are unit length). */
    public record Scored(Keyspace.ChunkRef chunk, float score) {
    }

    /** Decides per document whether its rows take part in a search. */
    @FunctionalInterface
    public interface DocumentFilter {
        boolean test(String documentId);
    }

    public int dimensions() {
        return dims;
    }

    public int size() {
        lock.readLock().lock();
        try {
            return rowOf.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Bytes held by the matrix, its fine parts and the row metadata (not counting the document id strings). */
    public long memoryBytes() {
        lock.readLock().lock();
        try {
            return pages.length * (16L + (long) PAGE_ROWS * dims) + finePages.length * (16L + (long) PAGE_ROWS * fineBytes)
                    + (scales.length + fineScales.length + chunkNos.length + documents.length) * 4L
                    + free.size() * 20L + rowOf.memoryBytes();
        } finally {
            lock.readLock().unlock();
        }
    }

    public void put(Keyspace.ChunkRef ref, Int8Vector v) {
        if (v.values().length != dims) {
            return; // a vector of another model; the index holds one model's vectors
        }
        if (ref.chunkNo() < 0) {
            throw new IllegalArgumentException("a chunk number is never negative: " + ref);
        }
        lock.writeLock().lock();
        try {
            int row = rowOf.get(ref.documentId(), ref.chunkNo());
            if (row < 0) {
                row = free.isEmpty() ? rows++ : free.removeLast();
                grow(row + 1);
            }
            String document = rowOf.put(ref.documentId(), ref.chunkNo(), row);
            System.arraycopy(v.values(), 0, pages[row >> PAGE_SHIFT], (row & (PAGE_ROWS - 1)) * dims, dims);
            scales[row] = v.scale();
            fineScales[row] = packFine(v, finePages[row >> PAGE_SHIFT], (row & (PAGE_ROWS - 1)) * fineBytes);
            documents[row] = document;
            chunkNos[row] = ref.chunkNo();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes the vector's fine part as four bits per dimension (low nibble first) and returns their scale: the
     * stored fine bytes span ±127, so ±7 levels of {@code fineScale × 127 / 7} keep what they say to 1/14 of a step.
     */
    private float packFine(Int8Vector v, byte[] page, int off) {
        byte[] fine = v.fine();
        if (fine == null || fine.length != dims) {
            java.util.Arrays.fill(page, off, off + fineBytes, (byte) 0);
            return 0;
        }
        for (int d = 0; d < dims; d += 2) {
            int lo = nibble(fine[d]);
            int hi = d + 1 < dims ? nibble(fine[d + 1]) : 0;
            page[off + d / 2] = (byte) (hi << 4 | lo & 0x0f);
        }
        return v.fineScale() * 127f / NIBBLE_MAX;
    }

    private static int nibble(byte fine) {
        return Math.round(fine * (float) NIBBLE_MAX / 127f);
    }

    public void remove(Keyspace.ChunkRef ref) {
        lock.writeLock().lock();
        try {
            int row = rowOf.remove(ref.documentId(), ref.chunkNo());
            if (row >= 0) {
                documents[row] = null;
                free.add(row);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void grow(int needed) {
        int pagesNeeded = (needed + PAGE_ROWS - 1) >> PAGE_SHIFT;
        if (pagesNeeded > pages.length) {
            int old = pages.length;
            pages = Arrays.copyOf(pages, pagesNeeded);
            finePages = Arrays.copyOf(finePages, pagesNeeded);
            for (int p = old; p < pagesNeeded; p++) {
                pages[p] = new byte[PAGE_ROWS * dims];
                finePages[p] = new byte[PAGE_ROWS * fineBytes];
            }
        }
        if (needed <= scales.length) {
            return;
        }
        int capacity = Math.max(needed, Math.max(PAGE_ROWS, scales.length + (scales.length >> 1)));
        scales = Arrays.copyOf(scales, capacity);
        fineScales = Arrays.copyOf(fineScales, capacity);
        documents = Arrays.copyOf(documents, capacity);
        chunkNos = Arrays.copyOf(chunkNos, capacity);
    }

    /** The {@code k} rows most similar to {@code query} (unit length) among the documents {@code filter} admits. */
    public List<Scored> search(float[] query, int k, DocumentFilter filter) {
        byte[] qv = Int8Vector.quantize(query).values();
        int[] q = new int[dims]; // widened once: the inner loop then multiplies int by byte, which C2 vectorizes
        for (int d = 0; d < dims; d++) {
            q[d] = qv[d];
        }
        int want = Math.max(MIN_CANDIDATES, k * CANDIDATES_PER_HIT);
        lock.readLock().lock();
        try {
            int total = rows;
            int parts = total < PARALLEL_ROWS ? 1 : Math.min(4, Runtime.getRuntime().availableProcessors());
            TopK candidates;
            if (parts == 1) {
                candidates = scan(q, 0, total, want, filter);
            } else {
                // the caller holds the read lock while the pool's threads scan slices of the matrix
                candidates = new TopK(want);
                int slice = (total + parts - 1) / parts;
                for (TopK part : IntStream.range(0, parts).parallel()
                        .mapToObj(p -> scan(q, p * slice, Math.min(total, (p + 1) * slice), want, filter)).toList()) {
                    for (int i = 0; i < part.size; i++) {
                        candidates.offer(part.rows[i], part.scores[i]);
                    }
                }
            }
            TopK best = new TopK(k);
            for (int i = 0; i < candidates.size; i++) {
                int row = candidates.rows[i];
                best.offer(row, exact(query, row));
            }
            List<Scored> out = new ArrayList<>(best.size);
            for (int i : best.order()) {
                int row = best.rows[i];
                out.add(new Scored(new Keyspace.ChunkRef(documents[row], chunkNos[row]), best.scores[i]));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Scores rows {@code from} to {@code to} (exclusive) with the integer query; keeps the best {@code want}. */
    private TopK scan(int[] q, int from, int to, int want, DocumentFilter filter) {
        TopK candidates = new TopK(want);
        String lastDoc = null;
        boolean lastAllowed = false;
        for (int row = from; row < to; row++) {
            String doc = documents[row];
            if (doc == null) {
                continue;
            }
            if (doc != lastDoc) {
                lastAllowed = filter.test(doc);
                lastDoc = doc;
            }
            if (!lastAllowed) {
                continue;
            }
            byte[] page = pages[row >> PAGE_SHIFT];
            int off = (row & (PAGE_ROWS - 1)) * dims;
            int dot = 0;
            for (int d = 0; d < dims; d++) {
                dot += q[d] * page[off + d];
            }
            candidates.offer(row, dot * scales[row]);
        }
        return candidates;
    }

    /** The float query's dot product with the row as held: its bytes and its four-bit fine part. */
    private float exact(float[] query, int row) {
        byte[] page = pages[row >> PAGE_SHIFT];
        int off = (row & (PAGE_ROWS - 1)) * dims;
        byte[] finePage = finePages[row >> PAGE_SHIFT];
        int fineOff = (row & (PAGE_ROWS - 1)) * fineBytes;
        float coarse = 0;
        float rest = 0;
        for (int d = 0; d < dims; d++) {
            coarse += query[d] * page[off + d];
            byte packed = finePage[fineOff + (d >> 1)];
            int nibble = (d & 1) == 0 ? (byte) (packed << 4) >> 4 : packed >> 4;
            rest += query[d] * nibble;
        }
        return coarse * scales[row] + rest * fineScales[row];
    }

    /** Exact float32 search over the dequantized rows; only for measuring recall. */
    public List<Scored> searchFloatExact(float[] query, int k) {
        lock.readLock().lock();
        try {
            TopK best = new TopK(k);
            for (int row = 0; row < rows; row++) {
                if (documents[row] == null) {
                    continue;
                }
                best.offer(row, exact(query, row));
            }
            List<Scored> out = new ArrayList<>();
            for (int i : best.order()) {
                out.add(new Scored(new Keyspace.ChunkRef(documents[best.rows[i]], chunkNos[best.rows[i]]),
                        best.scores[i]));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A bounded min-heap of (row, score): keeps the {@code capacity} highest scores offered. */
    static final class TopK {
        final int[] rows;
        final float[] scores;
        int size;

        TopK(int capacity) {
            rows = new int[capacity];
            scores = new float[capacity];
        }

        void offer(int row, float score) {
            if (size < rows.length) {
                rows[size] = row;
                scores[size] = score;
                up(size++);
            } else if (rows.length > 0 && score > scores[0]) {
                rows[0] = row;
                scores[0] = score;
                down(0);
            }
        }

        /** Heap indexes by descending score. */
        int[] order() {
            Integer[] idx = new Integer[size];
            for (int i = 0; i < size; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Float.compare(scores[b], scores[a]));
            return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
        }

        private void up(int i) {
            while (i > 0) {
                int p = (i - 1) / 2;
                if (scores[p] <= scores[i]) {
                    return;
                }
                swap(i, p);
                i = p;
            }
        }

        private void down(int i) {
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int m = i;
                if (l < size && scores[l] < scores[m]) {
                    m = l;
                }
                if (r < size && scores[r] < scores[m]) {
                    m = r;
                }
                if (m == i) {
                    return;
                }
                swap(i, m);
                i = m;
            }
        }

        private void swap(int a, int b) {
            int tr = rows[a];
            rows[a] = rows[b];
            rows[b] = tr;
            float ts = scores[a];
            scores[a] = scores[b];
            scores[b] = ts;
        }
    }
}
