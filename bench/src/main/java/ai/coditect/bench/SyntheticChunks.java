package ai.coditect.bench;

import ai.coditect.knowledge.DocumentStatus;
import ai.coditect.knowledge.KnowledgeStore;
import ai.coditect.knowledge.chunking.Chunk;
import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.embedding.Embedder;
import ai.coditect.knowledge.index.Int8Vector;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The knowledge benchmarks' synthetic chunks: unit vectors of 384 dimensions in clusters of about 50, and texts of
 * 40 made-up words drawn Zipf-like from a vocabulary of 30,000, a quarter of them words of the chunk's cluster.
 */
record SyntheticChunks(float[][] vectors, String[] texts) {
    static final int DIMS = 384;
    /** Chunks per synthetic document, written in batches of {@link #BATCH} as the indexer does. */
    static final int PER_DOCUMENT = 100;
    static final int BATCH = 16;

    /** {@code n} chunks drawn from {@code rnd}, which callers go on using for their queries. */
    static SyntheticChunks generate(int n, Random rnd) {
        int clusters = Math.max(10, n / 50);
        float[][] centers = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centers[c] = gaussian(rnd, DIMS, 1f);
        }
        float[][] vectors = new float[n][];
        String[] texts = new String[n];
        int vocabulary = 30_000;
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(clusters);
            float[] v = gaussian(rnd, DIMS, 0.6f);
            for (int d = 0; d < DIMS; d++) {
                v[d] += centers[c][d];
            }
            vectors[i] = Embedder.normalize(v);
            StringBuilder t = new StringBuilder();
            for (int w = 0; w < 40; w++) {
                // Zipf-like: a few common words, a long tail; every chunk also carries words of its cluster
                int word = w % 4 == 0 ? vocabulary + c * 3 + rnd.nextInt(3) : (int) Math.pow(vocabulary, rnd.nextDouble());
                t.append(word(word)).append(' ');
            }
            texts[i] = t.toString();
        }
        return new SyntheticChunks(vectors, texts);
    }

    int size() {
        return vectors.length;
    }

    /**
     * Writes every chunk for {@code tenantId} through the store as the indexer would, without the model: documents
     * {@code doc-<n>.txt} of {@link #PER_DOCUMENT} chunks, int8 vectors with their fine part, postings and counters,
     * each document marked indexed. Prints progress every 20,000 chunks; returns the seconds it took.
     */
    double write(KnowledgeStore store, String tenantId, String collection) {
        int n = size();
        long t0 = System.nanoTime();
        for (int doc = 0; doc * PER_DOCUMENT < n; doc++) {
            String body = "document " + doc;
            String hash = Chunker.sha256(body);
            String id = store.submit(tenantId, collection, "doc-" + doc + ".txt", "Doc " + doc, DocumentKind.TEXT,
                    body, hash, Clock.systemUTC().instant()).document().id();
            List<Chunk> batch = new ArrayList<>();
            List<Int8Vector> vs = new ArrayList<>();
            for (int j = 0; j < PER_DOCUMENT && doc * PER_DOCUMENT + j < n; j++) {
                int i = doc * PER_DOCUMENT + j;
                batch.add(new Chunk(j, 0, texts[i].length(), List.of(), texts[i], 60, Chunker.sha256(texts[i])));
                vs.add(Int8Vector.quantize(vectors[i]));
                if (batch.size() == BATCH) {
                    store.putChunks(tenantId, id, batch, vs);
                    batch = new ArrayList<>();
                    vs = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) {
                store.putChunks(tenantId, id, batch, vs);
            }
            if ((doc + 1) * PER_DOCUMENT % 20_000 == 0) {
                System.out.printf(Locale.ROOT, "  %,d chunks written, %.0f s%n", (doc + 1) * PER_DOCUMENT,
                        (System.nanoTime() - t0) / 1e9);
            }
            store.finish(tenantId, id, hash, DocumentStatus.INDEXED, null, PER_DOCUMENT, "synthetic",
                    Clock.systemUTC().instant());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A query text for chunk {@code i}: three of its words (the first two are a cluster word and a common one). */
    /** A query vector near chunk {@code i}'s: its vector with a little noise from {@code rnd}, unit length. */
    float[] queryVector(Random rnd, int i) {
        float[] v = gaussian(rnd, DIMS, 0.02f);
        for (int d = 0; d < DIMS; d++) {
            v[d] += vectors[i][d];
        }
        return Embedder.normalize(v);
    }

    String queryWords(int i) {
        String[] words = texts[i].split(" ");
        return words[0] + " " + words[1] + " " + words[5];
    }

    static float[] gaussian(Random rnd, int dims, float sigma) {
        float[] v = new float[dims];
        for (int d = 0; d < dims; d++) {
            v[d] = (float) rnd.nextGaussian() * sigma;
        }
        return v;
    }

    /** A made-up word of letters only (digits would make the analyzer split it into two terms). */
    static String word(int n) {
        StringBuilder w = new StringBuilder("q");
        do {
            w.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return w.toString();
    }
}
