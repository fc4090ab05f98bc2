package ai.coditect.knowledge;

import ai.coditect.knowledge.KnowledgeException.Reason;
import ai.coditect.knowledge.backup.BackupStorage;
import ai.coditect.knowledge.backup.KnowledgeExport;
import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.ingest.Submission;
import ai.coditect.knowledge.search.ContextBuilder;
import ai.coditect.knowledge.search.HybridSearch;
import ai.coditect.knowledge.search.SearchHit;
import ai.coditect.knowledge.search.SearchRequest;
import ai.coditect.shared.events.Event;
import ai.coditect.functions.events.Outbox;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The knowledge base as its callers see it, with no HTTP in it: submit documents (stored, then announced to the
 * index function), list, read and delete them, search, build a cited context, export and import. Every method
 * works inside one tenant; the platform collection is written only by the platform itself.
 */
public final class KnowledgeService {
    /** The tenant that owns the shared, read-only platform collection; no generated tenant id looks like it. */
    public static final String PLATFORM_TENANT = "_platform";
    public static final String PLATFORM_COLLECTION = "platform-docs";
    public static final int MAX_K = 100;
    public static final int MIN_BUDGET = 64;
    public static final int MAX_BUDGET = 16_000;
    public static final int MAX_QUERY_CHARS = 2_000;

    private final KnowledgeStore store;
    private final Outbox outbox;
    private final HybridSearch search;
    private final ContextBuilder context;
    private final BackupStorage backup;
    private final Clock clock;

    public KnowledgeService(KnowledgeStore store, Outbox outbox, HybridSearch search, ContextBuilder context,
                            BackupStorage backup, Clock clock) {
        this.store = store;
        this.outbox = outbox;
        this.search = search;
        this.context = context;
        this.backup = backup;
        this.clock = clock;
    }

    /** A submitted document as the caller sees it: whether this submission changed it. */
    public record Accepted(KnowledgeDocument document, boolean changed) {
    }

    public List<Accepted> submit(String tenantId, String userId, List<Submission> submissions) {
        for (Submission s : submissions) {
            if (!tenantId.equals(PLATFORM_TENANT) && s.collection().equals(PLATFORM_COLLECTION)) {
                throw new KnowledgeException(Reason.READ_ONLY_COLLECTION, "The " + PLATFORM_COLLECTION
                        + " collection is shared and read-only; choose another collection.");
            }
        }
        List<Accepted> out = new ArrayList<>();
        for (Submission s : submissions) {
            KnowledgeStore.Submitted stored = store.submit(tenantId, s.collection(), s.path(), s.title(), s.kind(),
                    s.text(), Chunker.sha256(s.text()), clock.instant(),
                    announce(EventType.KNOWLEDGE_DOCUMENT_SUBMITTED, tenantId, userId));
            out.add(new Accepted(stored.document(), stored.changed()));
        }
        outbox.relay();
        return out;
    }

    /** The event about a document, written to the outbox in the transaction that changes the document. */
    private KnowledgeStore.Announce announce(EventType type, String tenantId, String userId) {
        return (tr, doc) -> outbox.add(tr, Event.of(type, tenantId, userId, Map.of("documentId", doc.id(),
                "contentHash", doc.contentHash()), clock));
    }

    public List<KnowledgeDocument> documents(String tenantId, String collection, int limit) {
        return store.documents(tenantId, collection, limit);
    }

    public KnowledgeDocument document(String tenantId, String documentId) {
        if (!Ids.isWellFormed(documentId)) {
            throw notFound(documentId);
        }
        return store.document(tenantId, documentId).filter(d -> d.status() != DocumentStatus.DELETING)
                .orElseThrow(() -> notFound(documentId));
    }

    /** Removes a document and everything derived from it now; the event lets the index function finish a cut-off removal. */
    public void delete(String tenantId, String userId, String documentId) {
        if (!Ids.isWellFormed(documentId)) {
            throw notFound(documentId);
        }
        if (!store.markDeleting(tenantId, documentId, clock.instant(),
                announce(EventType.KNOWLEDGE_DOCUMENT_DELETED, tenantId, userId))) {
            throw notFound(documentId);
        }
        outbox.relay();
        store.purge(tenantId, documentId);
    }

    private static KnowledgeException notFound(String id) {
        return new KnowledgeException(Reason.DOCUMENT_NOT_FOUND, "There is no document "
                + (Ids.isWellFormed(id) ? id : "with that id") + ".");
    }

    public List<SearchHit> search(String tenantId, SearchRequest request) {
        checkQuery(request.query());
        if (request.k() < 1 || request.k() > MAX_K) {
            throw new KnowledgeException(Reason.INVALID_K, "k is the number of hits, 1 to " + MAX_K + ".");
        }
        return search.search(tenantId, request);
    }

    public ContextBuilder.Context context(String tenantId, String query, int budgetTokens, String collection) {
        checkQuery(query);
        if (budgetTokens < MIN_BUDGET || budgetTokens > MAX_BUDGET) {
            throw new KnowledgeException(Reason.INVALID_BUDGET, "budgetTokens is " + MIN_BUDGET + " to " + MAX_BUDGET
                    + ".");
        }
        return context.build(tenantId, query, budgetTokens, collection);
    }

    private static void checkQuery(String query) {
        if (query == null || query.isBlank() || query.length() > MAX_QUERY_CHARS) {
            throw new KnowledgeException(Reason.INVALID_REQUEST, "query is a non-empty text of at most "
                    + MAX_QUERY_CHARS + " characters.");
        }
    }

    /** What an export wrote. */
    public record Exported(String id, String location, int documents) {
    }

    /** Writes every document of the tenant (record and text) to the backup storage. */
    public Exported export(String tenantId) {
        List<KnowledgeExport.Entry> entries = new ArrayList<>();
        for (KnowledgeDocument d : store.documents(tenantId, null, Integer.MAX_VALUE)) {
            entries.add(new KnowledgeExport.Entry(d, store.rawText(tenantId, d.id())));
        }
        String id = clock.instant().toString().replace(":", "").replace(".", "") + "-" + Ids.newId().substring(0, 8);
        backup.write(exportName(tenantId, id), KnowledgeExport.write(entries, clock.instant()));
        return new Exported(id, backup.location(), entries.size());
    }

    /** Submits every document of an export of this tenant again; indexing rebuilds chunks and vectors. */
    public List<Accepted> importExport(String tenantId, String userId, String exportId) {
        if (exportId == null || !exportId.matches("[0-9A-Za-z-]{1,80}")) {
            throw new KnowledgeException(Reason.INVALID_REQUEST, "Name an export by the id its export returned.");
        }
        byte[] data = backup.read(exportName(tenantId, exportId)).orElseThrow(() ->
                new KnowledgeException(Reason.DOCUMENT_NOT_FOUND, "There is no export " + exportId + "."));
        List<Submission> submissions = KnowledgeExport.read(data).stream().map(e -> new Submission(
                e.document().collection(), e.document().path(), e.document().title(), e.document().kind(), e.text()))
                .toList();
        return submit(tenantId, userId, submissions);
    }

    private static String exportName(String tenantId, String id) {
        return tenantId + "/" + id + ".ndjson.gz";
    }

    /** Submits every readable file under {@code folder} to the platform collection; unchanged files do nothing. */
    public int indexPlatformDocs(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            return 0;
        }
        List<Submission> submissions = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String path = folder.relativize(f).toString().replace('\\', '/');
                DocumentKind kind = DocumentKind.ofPath(path);
                if (kind == null || Files.size(f) > 1 << 20) {
                    continue;
                }
                String text = Files.readString(f, StandardCharsets.UTF_8);
                if (!text.isBlank()) {
                    String title = text.lines().filter(l -> l.startsWith("# ")).findFirst()
                            .map(l -> l.substring(2).trim()).orElse(path);
                    submissions.add(new Submission(PLATFORM_COLLECTION, path, title, kind, text));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the platform docs in " + folder, e);
        }
        return (int) submit(PLATFORM_TENANT, null, submissions).stream().filter(Accepted::changed).count();
    }

    public Optional<BackupStorage> backup() {
        return Optional.ofNullable(backup);
    }
}
