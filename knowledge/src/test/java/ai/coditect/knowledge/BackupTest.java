package ai.coditect.knowledge;

import ai.coditect.functions.events.Outbox;
import ai.coditect.knowledge.backup.CloudStorageBackup;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.ingest.Submission;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import org.junit.jupiter.api.Test;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Export and import of a tenant's knowledge through the official Cloud Storage client (its in-memory helper). */
class BackupTest {
    final Database db = Databases.open("memory:");
    final Keyspace keys = Keyspace.open(db, "test");
    final KnowledgeStore store = new KnowledgeStore(db, keys);
    final List<Event> published = new CopyOnWriteArrayList<>();
    final EventPublisher events = new EventPublisher() {
        @Override
        public CompletableFuture<String> publish(Event event) {
            published.add(event);
            return CompletableFuture.completedFuture(event.id());
        }

        @Override
        public void close() {
        }
    };
    final Storage storage = LocalStorageHelper.getOptions().getService();
    final Outbox outbox = new Outbox(db, keys, events, Duration.ofSeconds(10), new PrometheusRegistry());
    final KnowledgeService service = new KnowledgeService(store, outbox, null, null,
            CloudStorageBackup.of(storage, "gs://kb-backups/exports"), TestClock.atNow());

    @Test
    void anExportRestoresEveryDocumentOfTheTenantAfterItWasLost() {
        service.submit("t1", "u1", List.of(
                new Submission("docs", "a.md", "A", DocumentKind.MARKDOWN, "# A\n\nAlpha text."),
                new Submission("code", "B.java", "B", DocumentKind.CODE, "class B {}\n")));
        service.submit("t2", "u2", List.of(new Submission("docs", "other.md", "O", DocumentKind.MARKDOWN, "# O\n\nx")));

        KnowledgeService.Exported exported = service.export("t1");
        assertEquals(2, exported.documents());
        assertNotNull(storage.get(BlobId.of("kb-backups", "exports/t1/" + exported.id() + ".ndjson.gz")));

        for (KnowledgeDocument d : service.documents("t1", null, 100)) {
            service.delete("t1", "u1", d.id());
        }
        assertEquals(0, service.documents("t1", null, 100).size());
        published.clear();

        service.importExport("t1", "u1", exported.id());
        List<KnowledgeDocument> restored = service.documents("t1", null, 100);
        assertEquals(List.of("B.java", "a.md"), restored.stream().map(KnowledgeDocument::path).sorted().toList());
        assertEquals("Alpha text.", store.rawText("t1", restored.stream().filter(d -> d.path().equals("a.md"))
                .findFirst().orElseThrow().id()).substring(5));
        assertEquals(2, published.size(), "each restored document is indexed again");
    }

    @Test
    void aTenantCannotImportAnotherTenantsExport() {
        service.submit("t2", "u2", List.of(new Submission("docs", "x.md", "X", DocumentKind.MARKDOWN, "# X\n\ny")));
        String id = service.export("t2").id();
        KnowledgeException e = assertThrows(KnowledgeException.class, () -> service.importExport("t1", "u1", id));
        assertEquals(KnowledgeException.Reason.DOCUMENT_NOT_FOUND, e.reason());
        assertThrows(KnowledgeException.class, () -> service.importExport("t1", "u1", "../t2/" + id));
    }
}
