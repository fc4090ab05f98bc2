package ai.coditect.knowledge.search;

import ai.coditect.shared.store.Keyspace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One tenant's keyword postings in memory, scored with BM25, so that a search reads no postings from the store.
 * Filled from the stored chunks with the vectors and kept current from the same change log. Postings are packed
 * ints (row and term frequency); a removed row is skipped by searches and dropped when the rows are compacted.
 */
public final class KeywordIndex {
    private static final double K1 = 1.2;
    private static final double B = 0.75;
    /** Term frequencies are kept up to this; BM25 saturates long before it. */
    private static final int MAX_TF = 255;
    /** Rows are renumbered once this many are removed and they outnumber a quarter of the live ones. */
    private static final int COMPACT_AFTER = 4_096;
    /** Row numbers are packed into the upper 23 bits of a posting. */
    private static final int MAX_ROWS = 1 << 23;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> termIds = new HashMap<>();
    /** Per term: (row << 8 | tf), in row order; may hold removed rows until the next compaction. */
    private int[][] postings = new int[0][];
    private int[] postingCounts = new int[0];
    /** Per term: live chunks holding it, BM25's document frequency. */
    private int[] chunkCounts = new int[0];
    private final Map<Keyspace.ChunkRef, Integer> rowOf = new HashMap<>();
    private Keyspace.ChunkRef[] refs = new Keyspace.ChunkRef[0];
    /** Per row: (termId << 8 | tf) of each of its terms, to take its counts away when it is removed. */
    private int[][] rowTerms = new int[0][];
    private int[] lengths = new int[0];
    private int rows;
    private int removed;
    private long totalLength;

    /** A chunk and its BM25 score. */
    public record Scored(Keyspace.ChunkRef chunk, double score) {
    }

    public int size() {
        lock.readLock().lock();
        try {
            return rowOf.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Sets the terms of {@code ref} (replacing what it had), {@code frequencies} as {@code Terms} analysed them. */
    public void put(Keyspace.ChunkRef ref, Map<String, Integer> frequencies) {
        lock.writeLock().lock();
        try {
            removeLocked(ref);
            if ((removed >= COMPACT_AFTER && removed * 4 > rowOf.size()) || (rows == MAX_ROWS && removed > 0)) {
                compact();
            }
            if (rows == MAX_ROWS) {
                throw new IllegalStateException("a tenant's keyword index holds at most " + MAX_ROWS + " chunks");
            }
            int row = rows++;
            if (row >= refs.length) {
                int capacity = Math.max(1024, refs.length + (refs.length >> 1));
                refs = Arrays.copyOf(refs, capacity);
                rowTerms = Arrays.copyOf(rowTerms, capacity);
                lengths = Arrays.copyOf(lengths, capacity);
            }
            int[] terms = new int[frequencies.size()];
            int length = 0;
            int i = 0;
            for (Map.Entry<String, Integer> e : frequencies.entrySet()) {
                int term = termId(e.getKey());
                int tf = Math.min(MAX_TF, e.getValue());
                terms[i++] = term << 8 | tf;
                length += e.getValue();
                addPosting(term, row << 8 | tf);
                chunkCounts[term]++;
            }
            refs[row] = ref;
            rowTerms[row] = terms;
            lengths[row] = length;
            totalLength += length;
            rowOf.put(ref, row);
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void remove(Keyspace.ChunkRef ref) {
        lock.writeLock().lock();
        try {
            removeLocked(ref);
            if (removed >= COMPACT_AFTER && removed * 4 > rowOf.size()) {
                compact();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeLocked(Keyspace.ChunkRef ref) {
        Integer row = rowOf.remove(ref);
        if (row == null) {
            return;
        }
        for (int t : rowTerms[row]) {
            chunkCounts[t >>> 8]--;
        }
        totalLength -= lengths[row];
        refs[row] = null;
        rowTerms[row] = null;
        removed++;
    }

    private int termId(String term) {
        Integer id = termIds.get(term);
        if (id != null) {
            return id;
        }
        int next = termIds.size();
        if (next >= postings.length) {
            int capacity = Math.max(1024, postings.length + (postings.length >> 1));
            postings = Arrays.copyOf(postings, capacity);
            postingCounts = Arrays.copyOf(postingCounts, capacity);
            chunkCounts = Arrays.copyOf(chunkCounts, capacity);
        }
        postings[next] = new int[2];
        termIds.put(term, next);
        return next;
    }

    private void addPosting(int term, int posting) {
        int[] list = postings[term];
        int n = postingCounts[term];
        if (n == list.length) {
            list = Arrays.copyOf(list, n + (n >> 1) + 2);
            postings[term] = list;
        }
        list[n] = posting;
        postingCounts[term] = n + 1;
    }

    /** Renumbers the live rows and rebuilds the postings without the removed ones. */
    private void compact() {
        int live = 0;
        for (int row = 0; row < rows; row++) {
            if (refs[row] != null) {
                refs[live] = refs[row];
                rowTerms[live] = rowTerms[row];
                lengths[live] = lengths[row];
                rowOf.put(refs[live], live);
                live++;
            }
        }
        Arrays.fill(refs, live, rows, null);
        Arrays.fill(rowTerms, live, rows, null);
        rows = live;
        removed = 0;
        Arrays.fill(postingCounts, 0);
        for (int row = 0; row < rows; row++) {
            for (int t : rowTerms[row]) {
                addPosting(t >>> 8, row << 8 | (t & 0xff));
            }
        }
    }

    /**
     * The {@code depth} best chunks for {@code terms} by BM25 (k1 1.2, b 0.75) among the documents {@code filter}
     * admits; the document frequencies and average length are the tenant's, whatever the filter.
     */
    public List<Scored> search(List<String> terms, int depth, VectorIndex.DocumentFilter filter) {
        lock.readLock().lock();
        try {
            int chunks = rowOf.size();
            if (chunks == 0 || terms.isEmpty()) {
                return List.of();
            }
            double avgLength = Math.max(1.0, (double) totalLength / chunks);
            float[] scores = new float[rows];
            int[] touched = new int[64];
            int touchedCount = 0;
            for (String term : terms) {
                Integer id = termIds.get(term);
                if (id == null || chunkCounts[id] <= 0) {
                    continue;
                }
                long df = chunkCounts[id];
                double idf = Math.log(1 + (chunks - df + 0.5) / (df + 0.5));
                int[] list = postings[id];
                for (int i = 0, n = postingCounts[id]; i < n; i++) {
                    int row = list[i] >>> 8;
                    if (refs[row] == null) {
                        continue;
                    }
                    double tf = list[i] & 0xff;
                    double norm = tf + K1 * (1 - B + B * lengths[row] / avgLength);
                    if (scores[row] == 0) {
                        if (touchedCount == touched.length) {
                            touched = Arrays.copyOf(touched, touchedCount * 2);
                        }
                        touched[touchedCount++] = row;
                    }
                    scores[row] += (float) (idf * tf * (K1 + 1) / norm);
                }
            }
            VectorIndex.TopK best = new VectorIndex.TopK(depth);
            String lastDoc = null;
            boolean lastAllowed = false;
            for (int i = 0; i < touchedCount; i++) {
                int row = touched[i];
                if (best.size == depth && scores[row] <= best.scores[0]) {
                    continue; // the filter is asked only about rows that would make the list
                }
                String doc = refs[row].documentId();
                if (!doc.equals(lastDoc)) {
                    lastAllowed = filter.test(doc);
                    lastDoc = doc;
                }
                if (lastAllowed) {
                    best.offer(row, scores[row]);
                }
            }
            List<Scored> out = new ArrayList<>(best.size);
            for (int i : best.order()) {
                out.add(new Scored(refs[best.rows[i]], best.scores[i]));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Bytes held by the postings and row data (an estimate: arrays exactly, map entries at 64 bytes each). */
    public long memoryBytes() {
        lock.readLock().lock();
        try {
            long bytes = (long) refs.length * 8 + rowTerms.length * 8L + lengths.length * 4L
                    + postings.length * 8L + postingCounts.length * 8L + (rowOf.size() + termIds.size()) * 64L;
            for (int row = 0; row < rows; row++) {
                bytes += rowTerms[row] == null ? 0 : 16 + rowTerms[row].length * 4L;
            }
            for (int t = 0; t < termIds.size(); t++) {
                bytes += 16 + postings[t].length * 4L;
            }
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }
}
