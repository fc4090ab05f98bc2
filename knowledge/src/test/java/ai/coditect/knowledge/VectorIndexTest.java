package ai.coditect.knowledge;

import ai.coditect.knowledge.embedding.Embedder;
import ai.coditect.knowledge.index.Int8Vector;
import ai.coditect.knowledge.search.VectorIndex;
import ai.coditect.shared.store.Keyspace;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The int8 matrix finds what exact float search finds, respects filters, and forgets removed rows. */
class VectorIndexTest {
    static float[] random(Random rnd, int dims) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return Embedder.normalize(v);
    }

    @Test
    void theQuantizedScanAgreesWithExactSearchOnALargeMatrix() {
        Random rnd = new Random(7);
        VectorIndex index = new VectorIndex(64);
        float[][] rows = new float[30_000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random(rnd, 64);
            index.put(new Keyspace.ChunkRef("doc" + (i % 300), i), Int8Vector.quantize(rows[i]));
        }
        int agree = 0;
        for (int q = 0; q < 20; q++) {
            float[] query = random(rnd, 64);
            Set<Integer> exact = new HashSet<>();
            index.searchFloatExact(query, 10).forEach(s -> exact.add(s.chunk().chunkNo()));
            for (VectorIndex.Scored s : index.search(query, 10, id -> true)) {
                if (exact.contains(s.chunk().chunkNo())) {
                    agree++;
                }
            }
        }
        assertTrue(agree >= 190, "agreement " + agree + " of 200");
    }

    @Test
    void filteredAndRemovedRowsAreNeverReturned() {
        Random rnd = new Random(3);
        VectorIndex index = new VectorIndex(16);
        float[] target = random(rnd, 16);
        index.put(new Keyspace.ChunkRef("secret", 0), Int8Vector.quantize(target));
        index.put(new Keyspace.ChunkRef("gone", 0), Int8Vector.quantize(target));
        for (int i = 0; i < 50; i++) {
            index.put(new Keyspace.ChunkRef("public", i), Int8Vector.quantize(random(rnd, 16)));
        }
        index.remove(new Keyspace.ChunkRef("gone", 0));
        List<VectorIndex.Scored> hits = index.search(target, 5, id -> !id.equals("secret"));
        assertEquals(5, hits.size());
        assertTrue(hits.stream().allMatch(h -> h.chunk().documentId().equals("public")), hits.toString());
        assertEquals(51, index.size());
    }
}
