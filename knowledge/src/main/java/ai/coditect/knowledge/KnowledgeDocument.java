package ai.coditect.knowledge;

import ai.coditect.knowledge.chunking.DocumentKind;

import java.time.Instant;

/**
 * A submitted document: where it sits (collection and path), what it is, the hash of its text (which decides
 * whether a resubmission changes anything), and how far indexing got.
 */
public record KnowledgeDocument(String id, String collection, String path, String title, DocumentKind kind,
                                long bytes, String contentHash, DocumentStatus status, String reason, int chunks,
                                String embedder, Instant createdAt, Instant updatedAt) {

    public KnowledgeDocument withStatus(DocumentStatus newStatus, String newReason, int chunkCount, String model,
                                        Instant now) {
        return new KnowledgeDocument(id, collection, path, title, kind, bytes, contentHash, newStatus, newReason,
                chunkCount, model, createdAt, now);
    }
}
