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
    void theFinePartFindsFloat32sTopTenAmongNearTies() {
        Random rnd = new Random(11);
        int dims = 384;
        VectorIndex index = new VectorIndex(dims);
        float[] center = random(rnd, dims);
        float[][] rows = new float[2_000][];
        for (int i = 0; i < rows.length; i++) {
            float[] v = random(rnd, dims);
            for (int d = 0; d < dims; d++) {
                v[d] = center[d] + 0.3f * v[d]; // one cluster: many near-ties
            }
            rows[i] = Embedder.normalize(v);
            index.put(new Keyspace.ChunkRef("doc", i), Int8Vector.quantize(rows[i]));
        }
        for (int q = 0; q < 10; q++) {
            float[] query = rows[rnd.nextInt(rows.length)].clone();
            query[q] += 0.01f;
            query = Embedder.normalize(query);
            Set<Integer> exact = new HashSet<>(exactTop(rows, query, 10));
            Set<Integer> found = new HashSet<>();
            index.search(query, 10, id -> true).forEach(s -> found.add(s.chunk().chunkNo()));
            assertEquals(exact, found); // the same ten; their order may differ only within about 1e-6
        }
    }

    static List<Integer> exactTop(float[][] rows, float[] query, int k) {
        java.util.List<Integer> order = new java.util.ArrayList<>();
        double[] scores = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            order.add(i);
            for (int d = 0; d < query.length; d++) {
                scores[i] += (double) rows[i][d] * query[d];
            }
        }
        order.sort((a, b) -> Double.compare(scores[b], scores[a]));
        return order.subList(0, k);
    }

    @Test
    void vectorsStoredWithoutAFinePartStillReadAndOnesWithItRoundTrip() {
        float[] v = random(new Random(5), 8);
        Int8Vector full = Int8Vector.quantize(v);
        Int8Vector back = Int8Vector.decode(full.encode());
        assertEquals(full.scale(), back.scale());
        assertEquals(java.util.Arrays.toString(full.fine()), java.util.Arrays.toString(back.fine()));
        Int8Vector old = Int8Vector.decode(new Int8Vector(full.scale(), full.values()).encode());
        assertEquals(null, old.fine());
        assertEquals(java.util.Arrays.toString(full.values()), java.util.Arrays.toString(old.values()));
        float[] restored = back.toFloats();
        for (int d = 0; d < v.length; d++) {
            assertEquals(v[d], restored[d], 1e-4);
        }
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

    @Test
    void theMatrixHoldsARowInAboutOneAndAHalfBytesPerDimension() {
        Random rnd = new Random(13);
        int dims = 384;
        int n = 10_000;
        VectorIndex index = new VectorIndex(dims);
        for (int i = 0; i < n; i++) {
            index.put(new Keyspace.ChunkRef("doc" + (i / 100), i % 100), Int8Vector.quantize(random(rnd, dims)));
        }
        // the int8 row, four bits of fine part per dimension, one page of growth room and small row metadata
        long bound = (long) (n * dims * 1.5) + 1024L * dims * 3 / 2 + n * 32L;
        assertTrue(index.memoryBytes() <= bound, index.memoryBytes() + " bytes for " + n + " rows, bound " + bound);
        assertEquals(n, index.size());
    }

    @Test
    void rowsFreedByRemovalsAreReusedAcrossPagesAndKeepTheirOwnVectors() {
        Random rnd = new Random(17);
        int dims = 32;
        VectorIndex index = new VectorIndex(dims);
        float[][] rows = new float[3_000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random(rnd, dims);
            index.put(new Keyspace.ChunkRef("a", i), Int8Vector.quantize(rows[i]));
        }
        for (int i = 0; i < rows.length; i += 3) {
            index.remove(new Keyspace.ChunkRef("a", i));
        }
        for (int i = 0; i < 1_000; i++) {
            rows[i] = random(rnd, dims);
            index.put(new Keyspace.ChunkRef("b", i), Int8Vector.quantize(rows[i]));
        }
        assertEquals(3_000, index.size());
        for (int i = 0; i < 1_000; i += 97) {
            VectorIndex.Scored top = index.search(rows[i], 1, id -> id.equals("b")).getFirst();
            assertEquals(new Keyspace.ChunkRef("b", i), top.chunk());
            assertEquals(1.0, top.score(), 1e-3);
        }
    }

    @Test
    void aNegativeChunkNumberIsRefusedBeforeTheIndexChanges() {
        VectorIndex index = new VectorIndex(8);
        float[] v = random(new Random(1), 8);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> index.put(new Keyspace.ChunkRef("doc", -1), Int8Vector.quantize(v)));
        index.put(new Keyspace.ChunkRef("doc", 0), Int8Vector.quantize(v));
        assertEquals(1, index.size());
        assertEquals(new Keyspace.ChunkRef("doc", 0), index.search(v, 5, id -> true).getFirst().chunk());
        assertEquals(1, index.search(v, 5, id -> true).size(), "no row was taken by the refused put");
    }
}
