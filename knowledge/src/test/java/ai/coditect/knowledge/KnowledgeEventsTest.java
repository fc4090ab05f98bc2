package ai.coditect.knowledge;

import ai.coditect.functions.events.Outbox;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.ingest.Submission;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Knowledge events go through the transactional outbox: committed with the document, published at least once. */
class KnowledgeEventsTest {
    final Database db = Databases.open("memory:");
    final Keyspace keys = Keyspace.open(db, "test");
    final KnowledgeStore store = new KnowledgeStore(db, keys);
    final List<Event> published = new CopyOnWriteArrayList<>();
    final AtomicBoolean brokerDown = new AtomicBoolean(true);
    final EventPublisher events = new EventPublisher() {
        @Override
        public CompletableFuture<String> publish(Event event) {
            if (brokerDown.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker unavailable"));
            }
            published.add(event);
            return CompletableFuture.completedFuture(event.id());
        }

        @Override
        public void close() {
        }
    };
    final Outbox outbox = new Outbox(db, keys, events, Duration.ofSeconds(10), new PrometheusRegistry());
    final KnowledgeService service = new KnowledgeService(store, outbox, null, null, null, TestClock.atNow());

    @Test
    void aSubmissionWhoseEventCouldNotBePublishedIsAnnouncedByTheNextRelay() {
        KnowledgeDocument doc = service.submit("t1", "u1", List.of(new Submission("docs", "a.md", "A",
                DocumentKind.MARKDOWN, "# A\n\nAlpha text."))).getFirst().document();
        assertEquals(DocumentStatus.QUEUED, store.document("t1", doc.id()).orElseThrow().status());
        assertEquals(1, outbox.pending(), "the event was committed with the document");
        assertEquals(List.of(), published);

        brokerDown.set(false);
        assertEquals(1, outbox.relay());
        assertEquals(0, outbox.pending());
        assertEquals(EventType.KNOWLEDGE_DOCUMENT_SUBMITTED, published.getFirst().eventType());
        assertEquals(doc.id(), published.getFirst().data().path("documentId").asText());
    }

    @Test
    void deletingWritesItsEventWithTheMarkAndUnchangedResubmissionWritesNone() {
        brokerDown.set(false);
        Submission a = new Submission("docs", "a.md", "A", DocumentKind.MARKDOWN, "# A\n\nAlpha text.");
        KnowledgeDocument doc = service.submit("t1", "u1", List.of(a)).getFirst().document();
        store.finish("t1", doc.id(), doc.contentHash(), DocumentStatus.INDEXED, null, 1, "test", TestClock.atNow()
                .instant());
        service.submit("t1", "u1", List.of(a));
        assertEquals(1, published.size(), "an unchanged, indexed document is not announced again");

        service.delete("t1", "u1", doc.id());
        assertEquals(2, published.size());
        assertEquals(EventType.KNOWLEDGE_DOCUMENT_DELETED, published.get(1).eventType());
        assertEquals(0, outbox.pending());
    }
}
