package ai.coditect.knowledge;

import ai.coditect.knowledge.chunking.Chunk;
import ai.coditect.knowledge.index.Int8Vector;
import ai.coditect.knowledge.index.StoredChunk;
import ai.coditect.knowledge.index.Terms;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.tuple.ByteArrayUtil;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Every read and write of the knowledge base in FoundationDB (keys from {@link Keyspace}, values encoded here):
 * documents and their raw text, chunks, int8 vectors, keyword postings with their counters, and the change log.
 * Each method is one small transaction, or a loop of them where a document is large.
 */
public final class KnowledgeStore {
    private static final int LOG_TRIM_PAGE = 2_000;
    /** Raw text is kept in parts under FoundationDB's 100,000-byte value limit. */
    static final int RAW_PART_BYTES = 90_000;
    private static final byte[] ZERO = Keyspace.millis(0);
    private static final byte[] ONE = Keyspace.millis(1);
    private static final byte[] MINUS_ONE = Keyspace.millis(-1);
    public static final String STAT_CHUNKS = "chunks";
    public static final String STAT_TERMS = "terms";

    private final Database db;
    private final Keyspace keys;
    private final Clock clock;

    public KnowledgeStore(Database db, Keyspace keys) {
        this(db, keys, Clock.systemUTC());
    }

    /** {@code clock} dates the change-log entries, which are trimmed by age. */
    public KnowledgeStore(Database db, Keyspace keys, Clock clock) {
        this.db = db;
        this.keys = keys;
        this.clock = clock;
    }

    public Database database() {
        return db;
    }

    /** What a submission changed: the document as stored, and whether it needs indexing. */
    public record Submitted(KnowledgeDocument document, boolean needsIndexing, boolean changed) {
    }

    /** Writes what announces a change (an outbox entry) into the transaction that makes it. */
    @FunctionalInterface
    public interface Announce {
        void in(Transaction tr, KnowledgeDocument document);

        Announce NOTHING = (tr, document) -> { };
    }

    public Submitted submit(String tenantId, String collection, String path, String title,
                            ai.coditect.knowledge.chunking.DocumentKind kind, String text, String contentHash,
                            Instant now) {
        return submit(tenantId, collection, path, title, kind, text, contentHash, now, Announce.NOTHING);
    }

    /**
     * Stores a document's text, reusing the id of the document at the same collection and path, and calls
     * {@code announce} in the same transaction when the document needs indexing. Unchanged text changes nothing
     * (a document still queued is announced again, so that submitting it again retries).
     */
    public Submitted submit(String tenantId, String collection, String path, String title,
                            ai.coditect.knowledge.chunking.DocumentKind kind, String text, String contentHash,
                            Instant now, Announce announce) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        return Transactions.run(db, tr -> {
            byte[] byPath = keys.knowledgeDocumentByPath(tenantId, collection, path);
            byte[] idBytes = tr.get(byPath).join();
            KnowledgeDocument existing = idBytes == null ? null
                    : readDocument(tr, tenantId, new String(idBytes, StandardCharsets.UTF_8)).join().orElse(null);
            if (existing != null && existing.contentHash().equals(contentHash) && title.equals(existing.title())
                    && (existing.status() == DocumentStatus.INDEXED || existing.status() == DocumentStatus.QUEUED)) {
                if (existing.status() == DocumentStatus.QUEUED) {
                    announce.in(tr, existing);
                }
                return new Submitted(existing, existing.status() == DocumentStatus.QUEUED, false);
            }
            boolean reuse = existing != null && existing.status() != DocumentStatus.DELETING;
            String id = reuse ? existing.id() : Ids.newId();
            KnowledgeDocument doc = new KnowledgeDocument(id, collection, path, title, kind, raw.length, contentHash,
                    DocumentStatus.QUEUED, null, reuse ? existing.chunks() : 0, reuse ? existing.embedder() : null,
                    reuse ? existing.createdAt() : now, now);
            tr.set(keys.knowledgeDocument(tenantId, id), Json.bytes(doc));
            tr.set(byPath, id.getBytes(StandardCharsets.UTF_8));
            tr.clear(keys.knowledgeRawParts(tenantId, id));
            for (int part = 0, off = 0; off < raw.length || part == 0; part++, off += RAW_PART_BYTES) {
                int len = Math.min(RAW_PART_BYTES, raw.length - off);
                byte[] slice = new byte[Math.max(0, len)];
                System.arraycopy(raw, off, slice, 0, slice.length);
                tr.set(keys.knowledgeRaw(tenantId, id, part), slice);
            }
            announce.in(tr, doc);
            return new Submitted(doc, true, true);
        });
    }

    public Optional<KnowledgeDocument> document(String tenantId, String documentId) {
        return Transactions.read(db, tr -> readDocument(tr, tenantId, documentId).join());
    }

    private CompletableFuture<Optional<KnowledgeDocument>> readDocument(ReadTransaction tr, String tenantId,
                                                                       String documentId) {
        return tr.get(keys.knowledgeDocument(tenantId, documentId))
                .thenApply(b -> Optional.ofNullable(b).map(v -> Json.read(v, KnowledgeDocument.class)));
    }

    /** Documents of a tenant in id order, optionally of one collection, at most {@code limit}. */
    public List<KnowledgeDocument> documents(String tenantId, String collection, int limit) {
        List<KnowledgeDocument> out = new ArrayList<>();
        byte[] begin = keys.knowledgeDocuments(tenantId).begin;
        byte[] end = keys.knowledgeDocuments(tenantId).end;
        while (out.size() < limit) {
            byte[] from = begin;
            List<KeyValue> page = Transactions.read(db, tr -> tr.getRange(from, end, 500).asList().join());
            for (KeyValue kv : page) {
                KnowledgeDocument d = Json.read(kv.getValue(), KnowledgeDocument.class);
                if ((collection == null || collection.equals(d.collection())) && d.status() != DocumentStatus.DELETING
                        && out.size() < limit) {
                    out.add(d);
                }
            }
            if (page.size() < 500) {
                break;
            }
            begin = Keyspace.keyAfter(page.getLast().getKey());
        }
        return out;
    }

    public String rawText(String tenantId, String documentId) {
        return Transactions.read(db, tr -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (KeyValue kv : tr.getRange(keys.knowledgeRawParts(tenantId, documentId)).asList().join()) {
                out.writeBytes(kv.getValue());
            }
            return out.toString(StandardCharsets.UTF_8);
        });
    }

    /** The stored chunks of a document by number. */
    public Map<Integer, StoredChunk> chunks(String tenantId, String documentId) {
        Map<Integer, StoredChunk> out = new LinkedHashMap<>();
        Range range = keys.knowledgeChunksOf(tenantId, documentId);
        byte[] begin = range.begin;
        while (true) {
            byte[] from = begin;
            List<KeyValue> page = Transactions.read(db, tr -> tr.getRange(from, range.end, 200).asList().join());
            for (KeyValue kv : page) {
                StoredChunk c = Json.read(kv.getValue(), StoredChunk.class);
                out.put(c.no(), c);
            }
            if (page.size() < 200) {
                return out;
            }
            begin = Keyspace.keyAfter(page.getLast().getKey());
        }
    }

    /** The chunks at {@code refs} (missing ones skipped), read in one transaction. */
    public Map<Keyspace.ChunkRef, StoredChunk> chunks(String tenantId, List<Keyspace.ChunkRef> refs) {
        return Transactions.read(db, tr -> {
            Map<Keyspace.ChunkRef, CompletableFuture<byte[]>> reads = new LinkedHashMap<>();
            for (Keyspace.ChunkRef r : refs) {
                reads.put(r, tr.get(keys.knowledgeChunk(tenantId, r.documentId(), r.chunkNo())));
            }
            Map<Keyspace.ChunkRef, StoredChunk> out = new LinkedHashMap<>();
            reads.forEach((r, f) -> {
                byte[] v = f.join();
                if (v != null) {
                    out.put(r, Json.read(v, StoredChunk.class));
                }
            });
            return out;
        });
    }

    public Optional<Int8Vector> vector(String tenantId, String documentId, int chunkNo) {
        return Transactions.read(db, tr -> Optional.ofNullable(
                tr.get(keys.knowledgeVector(tenantId, documentId, chunkNo)).join()).map(Int8Vector::decode));
    }

    /** The vectors at {@code refs} in one transaction; a removed chunk maps to null. */
    public Map<Keyspace.ChunkRef, Int8Vector> vectors(String tenantId, List<Keyspace.ChunkRef> refs) {
        return Transactions.read(db, tr -> {
            Map<Keyspace.ChunkRef, CompletableFuture<byte[]>> reads = new LinkedHashMap<>();
            for (Keyspace.ChunkRef r : refs) {
                reads.put(r, tr.get(keys.knowledgeVector(tenantId, r.documentId(), r.chunkNo())));
            }
            Map<Keyspace.ChunkRef, Int8Vector> out = new LinkedHashMap<>();
            reads.forEach((r, f) -> {
                byte[] v = f.join();
                out.put(r, v == null ? null : Int8Vector.decode(v));
            });
            return out;
        });
    }

    /**
     * Writes chunks with their vectors, postings and counters, in one transaction. A chunk whose stored hash at
     * the same number is equal is left alone, so running this twice (a redelivery) changes nothing the second
     * time; a chunk that replaces another first takes the old one's postings and counts away.
     */
    public int putChunks(String tenantId, String documentId, List<Chunk> chunks, List<Int8Vector> vectors) {
        return Transactions.run(db, tr -> {
            int written = 0;
            for (int i = 0; i < chunks.size(); i++) {
                Chunk c = chunks.get(i);
                byte[] key = keys.knowledgeChunk(tenantId, documentId, c.no());
                byte[] old = tr.get(key).join();
                if (old != null) {
                    StoredChunk previous = Json.read(old, StoredChunk.class);
                    if (previous.hash().equals(c.hash())) {
                        continue;
                    }
                    removeKeywords(tr, tenantId, documentId, previous);
                }
                Map<String, Integer> tf = Terms.frequencies(c.embeddingText());
                int length = Terms.length(tf);
                tr.set(key, Json.bytes(StoredChunk.of(c, length)));
                tr.set(keys.knowledgeVector(tenantId, documentId, c.no()), vectors.get(i).encode());
                for (Map.Entry<String, Integer> e : tf.entrySet()) {
                    byte[] posting = Keyspace.POSTING.encode(new Keyspace.Posting(e.getValue(), length));
                    tr.set(keys.knowledgePosting(tenantId, e.getKey(), documentId, c.no()), posting);
                    tr.mutate(MutationType.ADD, keys.knowledgeTermCount(tenantId, e.getKey()), ONE);
                }
                tr.mutate(MutationType.ADD, keys.knowledgeStat(tenantId, STAT_CHUNKS), ONE);
                tr.mutate(MutationType.ADD, keys.knowledgeStat(tenantId, STAT_TERMS), Keyspace.millis(length));
                logChange(tr, tenantId, documentId, c.no(), i);
                written++;
            }
            return written;
        });
    }

    /** Removes the chunks numbered {@code from} and up (what a shorter new version no longer has). */
    public void removeChunksFrom(String tenantId, String documentId, int from) {
        Range range = keys.knowledgeChunksOf(tenantId, documentId);
        byte[] begin = keys.knowledgeChunk(tenantId, documentId, from);
        while (true) {
            byte[] start = begin;
            int removed = Transactions.run(db, tr -> {
                List<KeyValue> page = tr.getRange(start, range.end, 32).asList().join();
                for (int i = 0; i < page.size(); i++) {
                    StoredChunk c = Json.read(page.get(i).getValue(), StoredChunk.class);
                    removeKeywords(tr, tenantId, documentId, c);
                    tr.clear(page.get(i).getKey());
                    tr.clear(keys.knowledgeVector(tenantId, documentId, c.no()));
                    logChange(tr, tenantId, documentId, c.no(), i);
                }
                return page.size();
            });
            if (removed < 32) {
                return;
            }
        }
    }

    private void removeKeywords(Transaction tr, String tenantId, String documentId, StoredChunk c) {
        Map<String, Integer> tf = Terms.frequencies(c.chunk().embeddingText());
        for (String term : tf.keySet()) {
            tr.clear(keys.knowledgePosting(tenantId, term, documentId, c.no()));
            decrement(tr, keys.knowledgeTermCount(tenantId, term), MINUS_ONE);
        }
        decrement(tr, keys.knowledgeStat(tenantId, STAT_CHUNKS), MINUS_ONE);
        decrement(tr, keys.knowledgeStat(tenantId, STAT_TERMS), Keyspace.millis(-(long) Terms.length(tf)));
    }

    /** Adds a negative amount, and clears the counter when it reaches zero, so no trace of a removal is left. */
    private static void decrement(Transaction tr, byte[] key, byte[] amount) {
        tr.mutate(MutationType.ADD, key, amount);
        tr.mutate(MutationType.COMPARE_AND_CLEAR, key, ZERO);
    }

    /** Appends to the change log (chunk and time); {@code order} numbers the entries of one transaction. */
    private void logChange(Transaction tr, String tenantId, String documentId, int chunkNo, int order) {
        tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, keys.knowledgeLogEntry(tenantId, order),
                Keyspace.LOG_ENTRY.encode(new Keyspace.LogEntry(documentId, chunkNo, clock.millis())));
    }

    /**
     * Removes the change-log entries written before {@code before} (oldest first, in transactions of at most
     * {@code LOG_PAGE} entries) and records the newest removed key, so that an in-memory index whose position is
     * older reloads instead of missing them. Returns how many entries were removed.
     */
    public int trimLog(String tenantId, Instant before) {
        int total = 0;
        while (true) {
            int trimmed = Transactions.run(db, tr -> {
                Range all = keys.knowledgeLog(tenantId, null);
                List<KeyValue> oldest = tr.getRange(all, 1).asList().join();
                if (oldest.isEmpty() || !olderThan(oldest.getFirst(), before)) {
                    return 0; // the usual case, told by one entry
                }
                List<KeyValue> page = tr.getRange(all, LOG_TRIM_PAGE).asList().join();
                byte[] last = null;
                int n = 0;
                for (KeyValue kv : page) {
                    if (!olderThan(kv, before)) {
                        break; // entries are in commit order, so the rest are newer
                    }
                    last = kv.getKey();
                    n++;
                }
                if (last != null) {
                    tr.clear(all.begin, com.apple.foundationdb.tuple.ByteArrayUtil.join(last, new byte[] {0}));
                    tr.set(keys.knowledgeLogTrimmed(tenantId), last);
                }
                return n;
            });
            total += trimmed;
            if (trimmed < LOG_TRIM_PAGE) {
                return total;
            }
        }
    }

    /** Sets the document's status, provided it still holds the text with {@code contentHash}. */
    public Optional<KnowledgeDocument> finish(String tenantId, String documentId, String contentHash,
                                              DocumentStatus status, String reason, int chunkCount, String embedder,
                                              Instant now) {
        return Transactions.run(db, tr -> {
            Optional<KnowledgeDocument> doc = readDocument(tr, tenantId, documentId).join();
            if (doc.isEmpty() || !doc.get().contentHash().equals(contentHash)
                    || doc.get().status() == DocumentStatus.DELETING) {
                return Optional.<KnowledgeDocument>empty();
            }
            KnowledgeDocument updated = doc.get().withStatus(status, reason, chunkCount, embedder, now);
            tr.set(keys.knowledgeDocument(tenantId, documentId), Json.bytes(updated));
            return Optional.of(updated);
        });
    }

    public boolean markDeleting(String tenantId, String documentId, Instant now) {
        return markDeleting(tenantId, documentId, now, Announce.NOTHING);
    }

    /**
     * Marks a document as being deleted and frees its path for a new document, calling {@code announce} in the same
     * transaction; false when there is none.
     */
    public boolean markDeleting(String tenantId, String documentId, Instant now, Announce announce) {
        return Transactions.run(db, tr -> {
            Optional<KnowledgeDocument> doc = readDocument(tr, tenantId, documentId).join();
            if (doc.isEmpty()) {
                return false;
            }
            KnowledgeDocument d = doc.get();
            byte[] byPath = keys.knowledgeDocumentByPath(tenantId, d.collection(), d.path());
            byte[] current = tr.get(byPath).join();
            if (current != null && new String(current, StandardCharsets.UTF_8).equals(documentId)) {
                tr.clear(byPath);
            }
            tr.set(keys.knowledgeDocument(tenantId, documentId),
                    Json.bytes(d.withStatus(DocumentStatus.DELETING, null, d.chunks(), d.embedder(), now)));
            announce.in(tr, d);
            return true;
        });
    }

    /** Removes every trace of a document marked as being deleted: chunks, vectors, postings, counts, text, record. */
    public void purge(String tenantId, String documentId) {
        Optional<KnowledgeDocument> doc = document(tenantId, documentId);
        if (doc.isEmpty() || doc.get().status() != DocumentStatus.DELETING) {
            return;
        }
        removeChunksFrom(tenantId, documentId, 0);
        Transactions.run(db, tr -> {
            tr.clear(keys.knowledgeRawParts(tenantId, documentId));
            tr.clear(keys.knowledgeDocument(tenantId, documentId));
            return null;
        });
    }

    // ---- reads for retrieval ----

    /** A page of a tenant's vectors after {@code afterKey} (exclusive; null from the start). */
    public List<KeyValue> vectors(String tenantId, byte[] afterKey, int limit) {
        Range r = keys.knowledgeVectors(tenantId, afterKey);
        return Transactions.read(db, tr -> tr.getRange(r, limit).asList().join());
    }

    public Keyspace.ChunkRef vectorRef(String tenantId, byte[] key) {
        return keys.knowledgeVectorRef(tenantId, key);
    }

    /**
     * The position to follow the change log from: its newest key, or where trimming got to when that is newer
     * (or the log is empty); null for a tenant that never wrote.
     */
    public byte[] lastLogKey(String tenantId) {
        Range r = keys.knowledgeLog(tenantId, null);
        return Transactions.read(db, tr -> {
            List<KeyValue> last = tr.getRange(r, 1, true).asList().join();
            byte[] trimmed = tr.get(keys.knowledgeLogTrimmed(tenantId)).join();
            byte[] newest = last.isEmpty() ? null : last.getFirst().getKey();
            return newest == null || (trimmed != null && ByteArrayUtil.compareUnsigned(trimmed, newest) > 0) ? trimmed
                    : newest;
        });
    }

    /** Whether a change-log entry was written before {@code before}; entries written without a time count as old. */
    private static boolean olderThan(KeyValue entry, Instant before) {
        return Keyspace.LOG_ENTRY.decode(entry.getValue()).writtenAtMillis() < before.toEpochMilli();
    }

    /** A change-log entry: the log key and the chunk that changed. */
    public record LogEntry(byte[] key, Keyspace.ChunkRef chunk) {
    }

    /** Entries after a position, and whether trimming removed entries after it (then they cannot be replayed). */
    public record LogPage(List<LogEntry> entries, boolean trimmedPast) {
    }

    public LogPage logAfter(String tenantId, byte[] afterKey, int limit) {
        Range r = keys.knowledgeLog(tenantId, afterKey);
        return Transactions.read(db, tr -> {
            CompletableFuture<byte[]> trimmed = tr.get(keys.knowledgeLogTrimmed(tenantId));
            List<LogEntry> entries = tr.getRange(r, limit).asList().join().stream().map(kv -> {
                Keyspace.LogEntry e = Keyspace.LOG_ENTRY.decode(kv.getValue());
                return new LogEntry(kv.getKey(), new Keyspace.ChunkRef(e.documentId(), e.chunkNo()));
            }).toList();
            byte[] t = trimmed.join();
            return new LogPage(entries, t != null && (afterKey == null || ByteArrayUtil.compareUnsigned(t, afterKey) > 0));
        });
    }
}
