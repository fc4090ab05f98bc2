package ai.coditect.knowledge;

import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.chunking.ModelTokens;
import ai.coditect.knowledge.index.Indexer;
import ai.coditect.knowledge.index.StoredChunk;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Keyspace.Part;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** What the knowledge base writes is what the key layout's codecs of the {@code kb} subspaces read. */
class KnowledgeKeysDecodeTest {
    static ModelTokens tokens;
    final Database db = Databases.open("memory:");
    final Keyspace keys = Keyspace.open(db, "test");
    final KnowledgeStore store = new KnowledgeStore(db, keys);
    final TestClock clock = TestClock.atNow();

    @BeforeAll
    static void loadTokenizer() {
        tokens = ModelTokens.load();
    }

    @AfterAll
    static void closeTokenizer() {
        tokens.close();
    }

    private void submitAndIndex(Indexer indexer, String text) {
        KnowledgeStore.Submitted s = store.submit("t1", "docs", "manual.md", "Manual", DocumentKind.MARKDOWN, text,
                Chunker.sha256(text), clock.instant());
        indexer.index("t1", s.document().id(), s.document().contentHash());
    }

    @Test
    void everyKeyOfAnIndexedDocumentDecodesWithTheCodecOfItsSubspace() {
        Indexer indexer = new Indexer(store, new Chunker(tokens, 400, 32), new HashingEmbedder(), clock, 5);
        submitAndIndex(indexer, "# Manual\n\n## Alpha\n\nAlpha explains the first part in words of its own.\n\n"
                + "## Bravo\n\nBravo explains the second part, which differs from the first.\n");
        submitAndIndex(indexer, "# Manual\n\n## Alpha\n\nAlpha explains the first part, now changed.\n");

        List<KeyValue> all = Transactions.read(db, tr -> tr.getRange(keys.knowledgeRange("t1")).asList().join());
        Set<Part> seen = EnumSet.noneOf(Part.class);
        for (KeyValue kv : all) {
            Keyspace.Located at = keys.locate(kv.getKey());
            Object value = at.part().codec().decode(kv.getValue());
            if (at.part() == Part.KB_CHUNK) {
                assertInstanceOf(StoredChunk.class, value);
            }
            if (at.part() == Part.KB_DOCUMENT) {
                assertInstanceOf(KnowledgeDocument.class, value);
            }
            seen.add(at.part());
        }
        assertEquals(EnumSet.of(Part.KB_DOCUMENT, Part.KB_DOCUMENT_BY_PATH, Part.KB_RAW, Part.KB_CHUNK,
                Part.KB_VECTOR, Part.KB_POSTING, Part.KB_TERM_DF, Part.KB_STATS, Part.KB_LOG), seen);
    }
}
