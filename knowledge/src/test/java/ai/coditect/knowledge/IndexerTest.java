package ai.coditect.knowledge;

import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.chunking.ModelTokens;
import ai.coditect.knowledge.index.Indexer;
import ai.coditect.knowledge.search.TenantIndexes;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.tuple.ByteArrayUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index function's work against the embedded engine: idempotence, partial re-embedding, removal, the log. */
class IndexerTest {
    static ModelTokens tokens;
    Database db = Databases.open("memory:");
    Keyspace keys = Keyspace.open(db, "test");
    TestClock clock = TestClock.atNow();
    KnowledgeStore store = new KnowledgeStore(db, keys, clock);
    HashingEmbedder embedder = new HashingEmbedder();
    Indexer indexer;

    @BeforeAll
    static void loadTokenizer() {
        tokens = ModelTokens.load();
    }

    @AfterAll
    static void closeTokenizer() {
        tokens.close();
    }

    IndexerTest() {
        indexer = new Indexer(store, new Chunker(tokens, 400, 32), embedder, clock, 5);
    }

    static String sections(String... bodies) {
        StringBuilder out = new StringBuilder("# Manual\n\n");
        for (int i = 0; i < bodies.length; i++) {
            out.append("## Part ").append(bodies[i].split(" ")[0]).append("\n\n").append(bodies[i])
                    .append(" This paragraph explains the part in enough words to stand on its own as a passage,")
                    .append(" and a second sentence makes sure it is not merged into its neighbour.\n\n");
        }
        return out.toString();
    }

    Indexer.Outcome submitAndIndex(String text) {
        KnowledgeStore.Submitted s = store.submit("t1", "docs", "manual.md", "Manual", DocumentKind.MARKDOWN, text,
                Chunker.sha256(text), clock.instant());
        return indexer.index("t1", s.document().id(), s.document().contentHash());
    }

    @Test
    void changedContentReembedsOnlyTheChangedChunks() {
        String v1 = sections("alpha one", "bravo two", "charlie three", "delta four");
        Indexer.Outcome first = submitAndIndex(v1);
        assertEquals(4, first.chunks());
        assertEquals(4, first.embedded());

        Indexer.Outcome edited = submitAndIndex(sections("alpha one", "bravo CHANGED", "charlie three", "delta four"));
        assertEquals(1, edited.embedded(), "only the edited section is embedded again");

        Indexer.Outcome inserted = submitAndIndex(sections("alpha one", "bravo CHANGED", "zulu new", "charlie three",
                "delta four"));
        assertEquals(1, inserted.embedded(), "sections that moved keep their vectors");
        assertEquals(5, inserted.chunks());
    }

    @Test
    void redeliveryAndUnchangedResubmissionChangeNothing() {
        String text = sections("alpha one", "bravo two");
        KnowledgeStore.Submitted s = store.submit("t1", "docs", "m.md", "M", DocumentKind.MARKDOWN, text,
                Chunker.sha256(text), clock.instant());
        indexer.index("t1", s.document().id(), s.document().contentHash());
        List<KeyValue> before = everything();
        assertEquals(0, indexer.index("t1", s.document().id(), s.document().contentHash()).written());
        KnowledgeStore.Submitted again = store.submit("t1", "docs", "m.md", "M", DocumentKind.MARKDOWN, text,
                Chunker.sha256(text), clock.instant());
        assertEquals(false, again.changed());
        assertEquals(false, again.needsIndexing());
        assertEquals(printable(before), printable(everything()));
    }

    @Test
    void deletingADocumentLeavesNoChunkVectorPostingOrCounter() {
        String text = sections("alpha one", "bravo two", "charlie three");
        KnowledgeStore.Submitted s = store.submit("t1", "docs", "gone.md", "Gone", DocumentKind.MARKDOWN, text,
                Chunker.sha256(text), clock.instant());
        indexer.index("t1", s.document().id(), s.document().contentHash());
        store.markDeleting("t1", s.document().id(), clock.instant());
        store.purge("t1", s.document().id());
        for (KeyValue kv : everything()) {
            String key = ByteArrayUtil.printable(kv.getKey());
            assertTrue(key.contains("\\x02log\\x00"), "left behind: " + key);
        }
    }

    @Test
    void theInMemoryIndexFollowsTheChangeLogOfEveryChunkOfATransaction() {
        TenantIndexes indexes = new TenantIndexes(store, embedder.dimensions(), 4);
        assertEquals(0, indexes.current("t1").vectors().size()); // loaded while empty
        Indexer.Outcome outcome = submitAndIndex(sections("alpha one", "bravo two", "charlie three", "delta four"));
        assertEquals(outcome.chunks(), indexes.current("t1").vectors().size());
        submitAndIndex(sections("alpha one"));
        assertEquals(1, indexes.current("t1").vectors().size());
    }

    @Test
    void theInMemoryKeywordIndexFollowsWritesAndRemovalsWithoutReadingPostings() {
        TenantIndexes indexes = new TenantIndexes(store, embedder.dimensions(), 4);
        submitAndIndex(sections("alpha one", "bravo two", "charlie three"));
        TenantIndexes.TenantIndex t1 = indexes.current("t1");
        assertEquals(3, t1.keywords().size());
        assertEquals(1, t1.keywords().search(List.of("charlie"), 10, id -> true).size());

        submitAndIndex(sections("alpha one", "bravo two")); // charlie's chunk removed by another writer
        assertEquals(0, indexes.current("t1").keywords().search(List.of("charlie"), 10, id -> true).size());
        assertEquals(2, indexes.current("t1").keywords().size());

        TenantIndexes fresh = new TenantIndexes(store, embedder.dimensions(), 4); // a cold start reads the chunks
        assertEquals(2, fresh.current("t1").keywords().size());
        assertEquals(1, fresh.current("t1").keywords().search(List.of("bravo"), 10, id -> true).size());
    }

    @Test
    void theChangeLogIsTrimmedAfterItsRetentionAndAnIndexBehindTheTrimReloads() {
        TenantIndexes indexes = new TenantIndexes(store, embedder.dimensions(), 4);
        submitAndIndex(sections("alpha one", "bravo two", "charlie three"));
        assertEquals(3, indexes.current("t1").keywords().size()); // this index is now at the log's end

        KnowledgeStore.Submitted other = store.submit("t1", "docs", "other.md", "Other", DocumentKind.MARKDOWN,
                sections("delta four"), Chunker.sha256(sections("delta four")), clock.instant());
        indexer.index("t1", other.document().id(), other.document().contentHash());
        assertEquals(4, logEntries(), "entries younger than the retention stay");

        clock.advance(Indexer.LOG_RETENTION.plusMinutes(1));
        submitAndIndex(sections("alpha one", "bravo two", "charlie three", "echo five"));
        assertEquals(1, logEntries(), "only the entry of the last write is left");

        // the index never saw delta's entry, which is gone from the log: it reloads rather than miss it
        TenantIndexes.TenantIndex t1 = indexes.current("t1");
        assertEquals(5, t1.keywords().size());
        assertEquals(5, t1.vectors().size());
        assertEquals(1, t1.keywords().search(List.of("delta"), 10, id -> true).size());
    }

    long logEntries() {
        return everything().stream().filter(kv -> ByteArrayUtil.printable(kv.getKey()).contains("\\x02log\\x00"))
                .count();
    }

    List<KeyValue> everything() {
        return Transactions.read(db, tr -> tr.getRange(keys.knowledgeRange("t1")).asList().join());
    }

    static String printable(List<KeyValue> kvs) {
        StringBuilder out = new StringBuilder();
        for (KeyValue kv : kvs) {
            String key = ByteArrayUtil.printable(kv.getKey());
            if (!key.contains("\\x02doc\\x00")) { // the record's updatedAt may move
                out.append(key).append('=').append(ByteArrayUtil.printable(kv.getValue())).append('\n');
            }
        }
        return out.toString();
    }
}
