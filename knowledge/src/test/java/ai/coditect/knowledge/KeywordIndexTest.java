package ai.coditect.knowledge;

import ai.coditect.knowledge.index.Terms;
import ai.coditect.knowledge.search.KeywordIndex;
import ai.coditect.shared.store.Keyspace;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BM25 in memory: rare and repeated terms rank first, filters and removals hold, compaction keeps the scores. */
class KeywordIndexTest {
    static Keyspace.ChunkRef ref(String doc, int no) {
        return new Keyspace.ChunkRef(doc, no);
    }

    @Test
    void aChunkWithTheRareTermRanksAboveChunksWithOnlyCommonOnes() {
        KeywordIndex index = new KeywordIndex();
        for (int i = 0; i < 20; i++) {
            index.put(ref("common", i), Terms.frequencies("stream buffer stream data"));
        }
        index.put(ref("rare", 0), Terms.frequencies("stream zlib compression"));
        List<KeywordIndex.Scored> hits = index.search(List.of("stream", "zlib"), 5, id -> true);
        assertEquals(ref("rare", 0), hits.getFirst().chunk());
        assertEquals(5, hits.size());
        assertTrue(hits.get(0).score() > hits.get(1).score());
    }

    @Test
    void filteredReplacedAndRemovedChunksAreNeverReturned() {
        KeywordIndex index = new KeywordIndex();
        index.put(ref("secret", 0), Terms.frequencies("launch codes"));
        index.put(ref("public", 0), Terms.frequencies("launch party"));
        index.put(ref("public", 1), Terms.frequencies("launch window"));
        index.put(ref("public", 1), Terms.frequencies("landing gear")); // a new version of the chunk
        index.remove(ref("gone", 0)); // never there: nothing happens
        List<KeywordIndex.Scored> hits = index.search(List.of("launch"), 10, id -> !id.equals("secret"));
        assertEquals(List.of(ref("public", 0)), hits.stream().map(KeywordIndex.Scored::chunk).toList());
        index.remove(ref("public", 0));
        assertEquals(List.of(), index.search(List.of("launch"), 10, id -> !id.equals("secret")));
        assertEquals(2, index.size());
    }

    @Test
    void compactingAfterManyRemovalsKeepsTheScoresOfTheRest() {
        KeywordIndex index = new KeywordIndex();
        for (int i = 0; i < 10_000; i++) {
            index.put(ref("d" + i, 0), Terms.frequencies(i % 2 == 0 ? "even number " + "word" + (i % 7) : "odd"));
        }
        List<KeywordIndex.Scored> before = index.search(List.of("even", "word3"), 20, id -> true);
        for (int i = 1; i < 10_000; i += 2) {
            index.remove(ref("d" + i, 0)); // the odd ones hold none of the query terms but count in BM25's N
        }
        for (int i = 1; i < 10_000; i += 2) {
            index.put(ref("d" + i, 0), Terms.frequencies("odd"));
        }
        List<KeywordIndex.Scored> after = index.search(List.of("even", "word3"), 20, id -> true);
        assertEquals(10_000, index.size());
        assertEquals(before, after);
    }

    @Test
    void scoresAfterRemovalsAndReplacementsEqualThoseOfAnIndexBuiltWithoutThem() {
        java.util.Random rnd = new java.util.Random(5);
        KeywordIndex changed = new KeywordIndex();
        java.util.Map<Keyspace.ChunkRef, String> texts = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                text.append("word").append((int) Math.pow(400, rnd.nextDouble())).append(' ');
            }
            texts.put(ref("d" + i % 50, i / 50), text.toString());
            changed.put(ref("d" + i % 50, i / 50), Terms.frequencies(text.toString()));
        }
        for (int i = 0; i < 3_000; i += 4) {
            changed.remove(ref("d" + i % 50, i / 50));
            texts.remove(ref("d" + i % 50, i / 50));
        }
        for (int i = 1; i < 3_000; i += 8) {
            changed.put(ref("d" + i % 50, i / 50), Terms.frequencies("word1 word2 replaced"));
            texts.put(ref("d" + i % 50, i / 50), "word1 word2 replaced");
        }
        KeywordIndex fresh = new KeywordIndex();
        texts.forEach((r, text) -> fresh.put(r, Terms.frequencies(text)));
        for (List<String> query : List.of(List.of("word1"), List.of("word3", "word40"), List.of("replaced", "word7"))) {
            List<KeywordIndex.Scored> a = changed.search(query, 30, id -> true);
            List<KeywordIndex.Scored> b = fresh.search(query, 30, id -> true);
            assertEquals(b.size(), a.size(), query.toString());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(b.get(i).score(), a.get(i).score(), 1e-4, query + " rank " + i);
            }
        }
        assertEquals(fresh.size(), changed.size());
    }
}
