package ai.coditect.knowledge.search;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which row of an in-memory index holds each chunk: per document an array indexed by chunk number, so a chunk
 * costs four bytes instead of a map entry, a boxed row and a key object. The document's id is kept once and handed
 * back, so the rows of one document share one string.
 */
final class ChunkRows {
    /** One document's chunks: {@code rows[n]} is chunk {@code n}'s row + 1 (0: none). */
    private static final class Document {
        final String id;
        int[] rows;
        int held;

        Document(String id, int capacity) {
            this.id = id;
            this.rows = new int[capacity];
        }
    }

    private final Map<String, Document> byDocument = new HashMap<>();
    private int size;

    int size() {
        return size;
    }

    /** The row holding the chunk, or -1. */
    int get(String documentId, int chunkNo) {
        Document d = byDocument.get(documentId);
        if (d == null || chunkNo < 0 || chunkNo >= d.rows.length) {
            return -1;
        }
        return d.rows[chunkNo] - 1;
    }

    /** Records that {@code row} holds the chunk; returns the document id instance all its rows share. */
    String put(String documentId, int chunkNo, int row) {
        if (chunkNo < 0) {
            throw new IllegalArgumentException("a chunk number is never negative: " + chunkNo);
        }
        Document d = byDocument.computeIfAbsent(documentId, id -> new Document(id, chunkNo + 1));
        if (chunkNo >= d.rows.length) {
            d.rows = Arrays.copyOf(d.rows, Math.max(chunkNo + 1, d.rows.length + (d.rows.length >> 2)));
        }
        if (d.rows[chunkNo] == 0) {
            d.held++;
            size++;
        }
        d.rows[chunkNo] = row + 1;
        return d.id;
    }

    /** Forgets the chunk; returns the row that held it, or -1. */
    int remove(String documentId, int chunkNo) {
        int row = get(documentId, chunkNo);
        if (row < 0) {
            return -1;
        }
        Document d = byDocument.get(documentId);
        d.rows[chunkNo] = 0;
        size--;
        if (--d.held == 0) {
            byDocument.remove(documentId);
        }
        return row;
    }

    /** Bytes held (an estimate: arrays exactly, each document's map entry and record at 80 bytes). */
    long memoryBytes() {
        long bytes = 0;
        for (Document d : byDocument.values()) {
            bytes += 80 + 16 + d.rows.length * 4L;
        }
        return bytes;
    }
}
