package ai.coditect.knowledge.index;

import ai.coditect.knowledge.DocumentStatus;
import ai.coditect.knowledge.KnowledgeDocument;
import ai.coditect.knowledge.KnowledgeStore;
import ai.coditect.knowledge.chunking.Chunk;
import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.embedding.Embedder;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.logging.LogFields;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The index function's work: for a submitted document, chunk its text, embed the chunks whose content is new
 * (a chunk whose hash the document already had keeps its vector, wherever it moved), and store chunks, vectors
 * and postings in small transactions; for a deleted one, remove what is left of it. Idempotent: a redelivered or
 * outdated event changes nothing.
 */
public final class Indexer {
    private static final Logger LOG = Logger.getLogger(Indexer.class.getName());
    private static final int CHUNKS_PER_TRANSACTION = 16;
    private static final int EMBED_BATCH = 32;
    /**
     * How long change-log entries are kept for instances to catch up from; an instance whose index is older than
     * that reloads it from the store (which it also does after being idle for the tenant that long).
     */
    public static final Duration LOG_RETENTION = Duration.ofHours(1);

    private final KnowledgeStore store;
    private final Chunker chunker;
    private final Embedder embedder;
    private final Clock clock;
    private final int maxAttempts;

    public Indexer(KnowledgeStore store, Chunker chunker, Embedder embedder, Clock clock, int maxAttempts) {
        this.store = store;
        this.chunker = chunker;
        this.embedder = embedder;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
    }

    /** What indexing one document did, for logs and benchmarks. */
    public record Outcome(int chunks, int embedded, int written) {
        static final Outcome NOTHING = new Outcome(0, 0, 0);
    }

    public void handle(Event event, int attempt) {
        String tenantId = event.tenantId();
        String documentId = event.data().path("documentId").asText("");
        if (tenantId == null || documentId.isEmpty()) {
            throw new UnprocessableEventException("a knowledge event names no tenant or document (event "
                    + event.id() + ")");
        }
        EventType type = event.eventType();
        if (type == EventType.KNOWLEDGE_DOCUMENT_DELETED) {
            store.purge(tenantId, documentId);
            return;
        }
        if (type != EventType.KNOWLEDGE_DOCUMENT_SUBMITTED) {
            throw new UnprocessableEventException("the index function reads knowledge events, not " + event.type());
        }
        String contentHash = event.data().path("contentHash").asText("");
        try {
            index(tenantId, documentId, contentHash);
        } catch (RuntimeException e) {
            if (attempt >= maxAttempts) {
                store.finish(tenantId, documentId, contentHash, DocumentStatus.FAILED,
                        "indexing failed after " + attempt + " attempts: " + e.getMessage(), 0, embedder.name(),
                        clock.instant());
            }
            throw e;
        }
    }

    /** Indexes the document if it still holds the text with {@code contentHash} and is not indexed yet. */
    public Outcome index(String tenantId, String documentId, String contentHash) {
        Optional<KnowledgeDocument> found = store.document(tenantId, documentId);
        if (found.isEmpty() || !found.get().contentHash().equals(contentHash)
                || found.get().status() != DocumentStatus.QUEUED) {
            return Outcome.NOTHING; // deleted, replaced by newer text, or already done
        }
        KnowledgeDocument doc = found.get();
        String text = store.rawText(tenantId, documentId);
        List<Chunk> chunks = chunker.split(text, doc.kind());
        if (chunks.isEmpty()) {
            store.finish(tenantId, documentId, contentHash, DocumentStatus.FAILED, "the document has no text to index",
                    0, embedder.name(), clock.instant());
            return Outcome.NOTHING;
        }
        Map<Integer, StoredChunk> previous = store.chunks(tenantId, documentId);
        Map<String, Integer> previousByHash = new HashMap<>();
        previous.values().forEach(c -> previousByHash.putIfAbsent(c.hash(), c.no()));
        boolean sameModel = embedder.name().equals(doc.embedder());

        List<Chunk> changed = new ArrayList<>();
        for (Chunk c : chunks) {
            StoredChunk old = previous.get(c.no());
            if (old == null || !old.hash().equals(c.hash()) || !sameModel) {
                changed.add(c);
            }
        }
        Map<String, Int8Vector> vectors = new HashMap<>();
        List<Chunk> toEmbed = new ArrayList<>();
        for (Chunk c : changed) {
            Integer moved = sameModel ? previousByHash.get(c.hash()) : null;
            Optional<Int8Vector> kept = moved == null ? Optional.empty() : store.vector(tenantId, documentId, moved);
            if (kept.isPresent()) {
                vectors.put(c.hash(), kept.get());
            } else if (!vectors.containsKey(c.hash())) {
                vectors.put(c.hash(), null);
                toEmbed.add(c);
            }
        }
        for (int i = 0; i < toEmbed.size(); i += EMBED_BATCH) {
            List<Chunk> batch = toEmbed.subList(i, Math.min(toEmbed.size(), i + EMBED_BATCH));
            List<float[]> embedded = embedder.embedPassages(batch.stream().map(Chunk::embeddingText).toList());
            for (int j = 0; j < batch.size(); j++) {
                vectors.put(batch.get(j).hash(), Int8Vector.quantize(embedded.get(j)));
            }
        }
        if (!sameModel && !previous.isEmpty()) {
            store.removeChunksFrom(tenantId, documentId, 0); // vectors of another model cannot be mixed in
        }
        int written = 0;
        for (int i = 0; i < changed.size(); i += CHUNKS_PER_TRANSACTION) {
            List<Chunk> batch = changed.subList(i, Math.min(changed.size(), i + CHUNKS_PER_TRANSACTION));
            written += store.putChunks(tenantId, documentId, batch, batch.stream().map(c -> vectors.get(c.hash()))
                    .toList());
        }
        if (previous.size() > chunks.size()) {
            store.removeChunksFrom(tenantId, documentId, chunks.size());
        }
        store.finish(tenantId, documentId, contentHash, DocumentStatus.INDEXED, null, chunks.size(), embedder.name(),
                clock.instant());
        store.trimLog(tenantId, clock.instant().minus(LOG_RETENTION));
        LogFields.of("tenantId", tenantId, "documentId", documentId, "chunks", chunks.size(), "embedded",
                toEmbed.size(), "written", written).log(LOG, Level.INFO, "document indexed");
        return new Outcome(chunks.size(), toEmbed.size(), written);
    }
}
