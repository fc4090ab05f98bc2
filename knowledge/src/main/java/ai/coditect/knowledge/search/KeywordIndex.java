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
 * A removal does not know the row's terms, so it marks every term's document frequency stale instead, and a search
 * counts the live postings of its stale terms again.
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
    /** Per term: live chunks holding it (BM25's document frequency), true while {@code countedAt} is current. */
    private int[] chunkCounts = new int[0];
    private int[] countedAt = new int[0];
    /** Bumped by every removal: from then on each term's count is stale until counted again. */
    private int removals;
    private final ChunkRows rowOf = new ChunkRows();
    private String[] documents = new String[0];
    private int[] chunkNos = new int[0];
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
        if (ref.chunkNo() < 0) {
            throw new IllegalArgumentException("a chunk number is never negative: " + ref);
        }
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
            if (row >= documents.length) {
                int capacity = Math.max(1024, documents.length + (documents.length >> 1));
                documents = Arrays.copyOf(documents, capacity);
                chunkNos = Arrays.copyOf(chunkNos, capacity);
                lengths = Arrays.copyOf(lengths, capacity);
            }
            int length = 0;
            for (Map.Entry<String, Integer> e : frequencies.entrySet()) {
                int term = termId(e.getKey());
                int tf = Math.min(MAX_TF, e.getValue());
                length += e.getValue();
                addPosting(term, row << 8 | tf);
                if (countedAt[term] == removals) {
                    chunkCounts[term]++;
                }
            }
            documents[row] = rowOf.put(ref.documentId(), ref.chunkNo(), row);
            chunkNos[row] = ref.chunkNo();
            lengths[row] = length;
            totalLength += length;
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
        int row = rowOf.remove(ref.documentId(), ref.chunkNo());
        if (row < 0) {
            return;
        }
        removals++;
        totalLength -= lengths[row];
        documents[row] = null;
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
            countedAt = Arrays.copyOf(countedAt, capacity);
        }
        postings[next] = new int[2];
        countedAt[next] = removals;
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

    /** Renumbers the live rows and drops the removed ones from every posting list (row order is kept). */
    private void compact() {
        int[] renumbered = new int[rows];
        int live = 0;
        for (int row = 0; row < rows; row++) {
            if (documents[row] != null) {
                renumbered[row] = live;
                documents[live] = documents[row];
                chunkNos[live] = chunkNos[row];
                lengths[live] = lengths[row];
                rowOf.put(documents[live], chunkNos[live], live);
                live++;
            } else {
                renumbered[row] = -1;
            }
        }
        Arrays.fill(documents, live, rows, null);
        for (int t = 0, terms = termIds.size(); t < terms; t++) {
            int[] list = postings[t];
            int kept = 0;
            for (int i = 0, n = postingCounts[t]; i < n; i++) {
                int row = renumbered[list[i] >>> 8];
                if (row >= 0) {
                    list[kept++] = row << 8 | (list[i] & 0xff);
                }
            }
            postingCounts[t] = kept;
            chunkCounts[t] = kept;
            countedAt[t] = removals;
        }
        rows = live;
        removed = 0;
    }

    /** Gives back the growth room of the posting lists, as after loading a tenant, when few rows are added next. */
    public void trimToSize() {
        lock.writeLock().lock();
        try {
            for (int t = 0, terms = termIds.size(); t < terms; t++) {
                if (postings[t].length > postingCounts[t]) {
                    postings[t] = Arrays.copyOf(postings[t], postingCounts[t]);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Counts again the live chunks of those of {@code terms} whose counts a removal made stale, and keeps them. */
    private void recount(List<Integer> stale) {
        lock.writeLock().lock();
        try {
            for (int id : stale) {
                if (countedAt[id] != removals) {
                    chunkCounts[id] = liveChunks(id);
                    countedAt[id] = removals;
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The live chunks holding the term: its postings less those of removed rows. Needs either lock. */
    private int liveChunks(int id) {
        int live = 0;
        int[] list = postings[id];
        for (int i = 0, n = postingCounts[id]; i < n; i++) {
            if (documents[list[i] >>> 8] != null) {
                live++;
            }
        }
        return live;
    }

    /**
     * The {@code depth} best chunks for {@code terms} by BM25 (k1 1.2, b 0.75) among the documents {@code filter}
     * admits; the document frequencies and average length are the tenant's, whatever the filter.
     */
    public List<Scored> search(List<String> terms, int depth, VectorIndex.DocumentFilter filter) {
        List<Integer> ids = new ArrayList<>(terms.size());
        List<Integer> stale = new ArrayList<>();
        lock.readLock().lock();
        try {
            for (String term : terms) {
                Integer id = termIds.get(term);
                if (id != null) {
                    ids.add(id);
                    if (countedAt[id] != removals) {
                        stale.add(id);
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        if (!stale.isEmpty()) {
            recount(stale);
        }
        lock.readLock().lock();
        try {
            int chunks = rowOf.size();
            if (chunks == 0 || ids.isEmpty()) {
                return List.of();
            }
            double avgLength = Math.max(1.0, (double) totalLength / chunks);
            float[] scores = new float[rows];
            int[] touched = new int[64];
            int touchedCount = 0;
            for (int id : ids) {
                // a change between the recount and here may have made the count stale again: count it here then
                long df = countedAt[id] == removals ? chunkCounts[id] : liveChunks(id);
                if (df <= 0) {
                    continue;
                }
                double idf = Math.log(1 + (chunks - df + 0.5) / (df + 0.5));
                int[] list = postings[id];
                for (int i = 0, n = postingCounts[id]; i < n; i++) {
                    int row = list[i] >>> 8;
                    if (documents[row] == null) {
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
                String doc = documents[row];
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
                int row = best.rows[i];
                out.add(new Scored(new Keyspace.ChunkRef(documents[row], chunkNos[row]), best.scores[i]));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Bytes held by the postings and row data (an estimate: arrays exactly, term map entries at 64 bytes each). */
    public long memoryBytes() {
        lock.readLock().lock();
        try {
            long bytes = (long) (documents.length + chunkNos.length + lengths.length) * 4L
                    + (postings.length + postingCounts.length + chunkCounts.length + countedAt.length) * 4L
                    + termIds.size() * 64L + rowOf.memoryBytes();
            for (int t = 0; t < termIds.size(); t++) {
                bytes += 16 + postings[t].length * 4L;
            }
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }
}
