package ai.coditect.bench;

import ai.coditect.knowledge.KnowledgeStore;
import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.chunking.ModelTokens;
import ai.coditect.knowledge.embedding.Embedder;
import ai.coditect.knowledge.embedding.LocalEmbedder;
import ai.coditect.knowledge.index.Indexer;
import ai.coditect.knowledge.index.Int8Vector;
import ai.coditect.knowledge.index.Terms;
import ai.coditect.knowledge.search.HybridSearch;
import ai.coditect.knowledge.search.SearchHit;
import ai.coditect.knowledge.search.SearchRequest;
import ai.coditect.knowledge.search.TenantIndexes;
import ai.coditect.knowledge.search.VectorIndex;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.Database;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ./coditect bench knowledge [chunks] [corpus dir] [direct]} (chunks 0 skips the scale part; {@code direct}
 * fills the in-memory indexes without the store and times their stages alone): retrieval at scale on synthetic vectors and text (search
 * latency in process, recall of the int8 scan against exact float32, memory, cold start), then indexing throughput
 * and retrieval quality (MRR@10, nDCG@10 per retriever) with the real model over Debian's Node.js API docs and a
 * hand-labelled question set. Prints figures; asserts nothing.
 */
public final class KnowledgeBenchmark {
    private static final int DIMS = SyntheticChunks.DIMS;
    private static final String TENANT = "bench-tenant";

    public static void main(String[] args) throws Exception {
        int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path corpus = Path.of(args.length > 1 ? args[1] : "/usr/share/doc/nodejs/api");
        System.out.printf(Locale.ROOT, "knowledge benchmark: %d cores, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        boolean direct = args.length > 2 && args[2].equals("direct");
        if (chunks > 0) {
            scale(chunks, direct);
        }
        if (Files.isDirectory(corpus)) {
            quality(corpus);
        } else {
            System.out.println("quality: skipped, no corpus at " + corpus + " (apt-get install nodejs-doc)");
        }
    }

    // ---- scale: synthetic vectors and text ----

    private static void scale(int n, boolean direct) {
        Random rnd = new Random(42);
        SyntheticChunks synthetic = SyntheticChunks.generate(n, rnd);
        float[][] vectors = synthetic.vectors();
        String[] texts = synthetic.texts();

        if (direct) {
            inMemory(synthetic, rnd);
            return;
        }
        Database db = Databases.open("memory:");
        Keyspace keys = Keyspace.open(db, "bench");
        KnowledgeStore store = new KnowledgeStore(db, keys);
        int perDoc = SyntheticChunks.PER_DOCUMENT;
        System.out.printf(Locale.ROOT, "writing %,d synthetic chunks into the embedded engine (memory:)...%n", n);
        double writeSeconds = synthetic.write(store, TENANT, "synthetic");
        System.out.printf(Locale.ROOT, "store: %,d chunks with vectors and postings written in %.1f s (%,.0f chunks/s, "
                + "no embedding)%n", n, writeSeconds, n / writeSeconds);

        // queries: a perturbed chunk vector, and three of its words
        int queries = 300;
        float[][] qv = new float[queries][];
        String[] qt = new String[queries];
        for (int q = 0; q < queries; q++) {
            int i = rnd.nextInt(n);
            qv[q] = synthetic.queryVector(rnd, i);
            qt[q] = "query " + q + " " + synthetic.queryWords(i);
        }
        Map<String, float[]> byText = new HashMap<>();
        for (int q = 0; q < queries; q++) {
            byText.put(qt[q], qv[q]);
        }
        Embedder fixed = new FixedEmbedder(byText);

        System.gc();
        long heapBefore = usedHeap();
        TenantIndexes indexes = new TenantIndexes(store, DIMS, 4);
        HybridSearch search = new HybridSearch(store, indexes, fixed, "_platform", "platform-docs");
        long c0 = System.nanoTime();
        indexes.current(TENANT);
        long loaded = System.nanoTime();
        search.search(TENANT, SearchRequest.of(qt[0], 10));
        long first = System.nanoTime();
        System.gc();
        long heapAfter = usedHeap();
        VectorIndex matrix = indexes.current(TENANT).vectors();
        var keywordIndex = indexes.current(TENANT).keywords();
        System.out.printf(Locale.ROOT, "cold start: loading %,d vectors and %,d chunks' terms %.0f ms, first hybrid "
                + "query done %.0f ms after start%n", matrix.size(), keywordIndex.size(), (loaded - c0) / 1e6,
                (first - c0) / 1e6);
        System.out.printf(Locale.ROOT, "memory: int8 matrix with fine parts and row metadata %.1f MiB; keyword "
                        + "postings and rows %.1f MiB; heap growth for the tenant's indexes %.1f MiB%n",
                matrix.memoryBytes() / 1048576.0, keywordIndex.memoryBytes() / 1048576.0,
                (heapAfter - heapBefore) / 1048576.0);

        // warm up, then measure
        for (int r = 0; r < 2; r++) {
            for (int q = 0; q < queries; q++) {
                search.search(TENANT, SearchRequest.of(qt[q], 10));
            }
        }
        long[] hybrid = new long[queries];
        long[] vectorOnly = new long[queries];
        long[] keywordOnly = new long[queries];
        long[] scanOnly = new long[queries];
        long[] bm25Only = new long[queries];
        long[] catchUp = new long[queries];
        for (int q = 0; q < queries; q++) {
            long s = System.nanoTime();
            search.search(TENANT, SearchRequest.of(qt[q], 10));
            hybrid[q] = System.nanoTime() - s;
            s = System.nanoTime();
            search.search(TENANT, new SearchRequest(qt[q], 10, null, null, null, SearchRequest.Mode.VECTOR));
            vectorOnly[q] = System.nanoTime() - s;
            s = System.nanoTime();
            search.search(TENANT, new SearchRequest(qt[q], 10, null, null, null, SearchRequest.Mode.KEYWORD));
            keywordOnly[q] = System.nanoTime() - s;
            s = System.nanoTime();
            matrix.search(qv[q], 10, id -> true);
            scanOnly[q] = System.nanoTime() - s;
            s = System.nanoTime();
            keywordIndex.search(List.copyOf(Terms.frequencies(qt[q]).keySet()), 50, id -> true);
            bm25Only[q] = System.nanoTime() - s;
            s = System.nanoTime();
            indexes.current(TENANT);
            catchUp[q] = System.nanoTime() - s;
        }
        System.out.println("search over " + String.format(Locale.ROOT, "%,d", n) + " chunks x " + DIMS
                + " dims, in process, k=10 (" + queries + " queries, query embedding excluded):");
        System.out.println("  hybrid (scan + BM25 + RRF + chunk reads): " + percentiles(hybrid));
        System.out.println("  vector side (scan + chunk reads):         " + percentiles(vectorOnly));
        System.out.println("  keyword side (BM25 + chunk reads):         " + percentiles(keywordOnly));
        System.out.println("  int8 matrix scan + re-score alone:         " + percentiles(scanOnly));
        System.out.println("  BM25 over the in-memory postings alone:    " + percentiles(bm25Only));
        System.out.println("  change-log check (nothing changed):        " + percentiles(catchUp));

        // recall@10 of the int8 scan against exact float32 search over the original vectors
        Map<Keyspace.ChunkRef, Integer> rowOfRef = new HashMap<>();
        List<String> docIds = new ArrayList<>();
        for (var d : store.documents(TENANT, null, Integer.MAX_VALUE)) {
            docIds.add(d.id());
        }
        Map<String, Integer> docNo = new HashMap<>();
        for (var d : store.documents(TENANT, null, Integer.MAX_VALUE)) {
            docNo.put(d.id(), Integer.parseInt(d.path().substring(4, d.path().length() - 4)));
        }
        double recall = 0;
        for (int q = 0; q < queries; q++) {
            Set<Integer> exact = exactTop(vectors, qv[q], 10);
            int hit = 0;
            for (VectorIndex.Scored s : matrix.search(qv[q], 10, id -> true)) {
                int i = docNo.get(s.chunk().documentId()) * perDoc + s.chunk().chunkNo();
                if (exact.contains(i)) {
                    hit++;
                }
            }
            recall += hit / 10.0;
        }
        System.out.printf(Locale.ROOT, "recall@10 of the int8 scan vs exact float32: %.4f (%d queries)%n",
                recall / queries, queries);
        db.close();
    }

    /**
     * The in-memory stages alone, filled directly rather than through the store (whose writes take most of a
     * full run's time on a busy machine): the int8 scan with its re-scoring, BM25 over the postings, recall, memory.
     */
    private static void inMemory(SyntheticChunks synthetic, Random rnd) {
        float[][] vectors = synthetic.vectors();
        String[] texts = synthetic.texts();
        int n = vectors.length;
        System.gc();
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        VectorIndex matrix = new VectorIndex(DIMS);
        var keywordIndex = new ai.coditect.knowledge.search.KeywordIndex();
        for (int i = 0; i < n; i++) {
            Keyspace.ChunkRef ref = new Keyspace.ChunkRef("doc-" + i / 100, i % 100);
            matrix.put(ref, Int8Vector.quantize(vectors[i]));
            keywordIndex.put(ref, Terms.frequencies(texts[i]));
        }
        keywordIndex.trimToSize(); // as a tenant's load does
        long filled = System.nanoTime() - t0;
        System.gc();
        long heapAfter = usedHeap();
        System.out.printf(Locale.ROOT, "direct: %,d chunks put into the in-memory indexes in %.1f s%n", n,
                filled / 1e9);
        System.out.printf(Locale.ROOT, "memory: int8 matrix with fine parts and row metadata %.1f MiB; keyword "
                        + "postings and rows %.1f MiB; heap growth for both %.1f MiB%n",
                matrix.memoryBytes() / 1048576.0, keywordIndex.memoryBytes() / 1048576.0,
                (heapAfter - heapBefore) / 1048576.0);
        int queries = 300;
        float[][] qv = new float[queries][];
        List<List<String>> qt = new ArrayList<>();
        for (int q = 0; q < queries; q++) {
            int i = rnd.nextInt(n);
            qv[q] = synthetic.queryVector(rnd, i);
            qt.add(List.copyOf(Terms.frequencies(synthetic.queryWords(i)).keySet()));
        }
        for (int r = 0; r < 2; r++) {
            for (int q = 0; q < queries; q++) {
                matrix.search(qv[q], 10, id -> true);
                keywordIndex.search(qt.get(q), 50, id -> true);
            }
        }
        long[] scan = new long[queries];
        long[] bm25 = new long[queries];
        long[] both = new long[queries];
        for (int q = 0; q < queries; q++) {
            long s = System.nanoTime();
            matrix.search(qv[q], 50, id -> true);
            scan[q] = System.nanoTime() - s;
            long m = System.nanoTime();
            keywordIndex.search(qt.get(q), 50, id -> true);
            bm25[q] = System.nanoTime() - m;
            both[q] = System.nanoTime() - s;
        }
        System.out.println("in-memory stages over " + String.format(Locale.ROOT, "%,d", n) + " chunks x " + DIMS
                + " dims, depth 50 (" + queries + " queries):");
        System.out.println("  int8 scan + fine re-score:    " + percentiles(scan));
        System.out.println("  BM25 over in-memory postings: " + percentiles(bm25));
        System.out.println("  both, one after the other:    " + percentiles(both));
        double recall = 0;
        for (int q = 0; q < queries; q++) {
            Set<Integer> exact = exactTop(vectors, qv[q], 10);
            int hit = 0;
            for (VectorIndex.Scored s : matrix.search(qv[q], 10, id -> true)) {
                int i = Integer.parseInt(s.chunk().documentId().substring(4)) * 100 + s.chunk().chunkNo();
                if (exact.contains(i)) {
                    hit++;
                }
            }
            recall += hit / 10.0;
        }
        System.out.printf(Locale.ROOT, "recall@10 of the vector side vs exact float32: %.4f (%d queries)%n",
                recall / queries, queries);
    }

    private static Set<Integer> exactTop(float[][] vectors, float[] q, int k) {
        Integer[] best = new Integer[0];
        float[] scores = new float[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            float dot = 0;
            for (int d = 0; d < DIMS; d++) {
                dot += q[d] * vectors[i][d];
            }
            scores[i] = dot;
        }
        Integer[] idx = new Integer[vectors.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Float.compare(scores[b], scores[a]));
        best = Arrays.copyOf(idx, k);
        return new HashSet<>(Arrays.asList(best));
    }

    // ---- quality: the real model over a real corpus ----

    private static void quality(Path corpus) throws Exception {
        Database db = Databases.open("memory:");
        KnowledgeStore store = new KnowledgeStore(db, Keyspace.open(db, "bench"));
        long m0 = System.nanoTime();
        ModelTokens tokens = ModelTokens.load();
        LocalEmbedder embedder = new LocalEmbedder(Runtime.getRuntime().availableProcessors());
        embedder.embedQuery("warm up the model");
        System.out.printf(Locale.ROOT, "model cold start: tokenizer + bge-small ONNX session + first query embedding "
                + "%.0f ms%n", (System.nanoTime() - m0) / 1e6);
        Indexer indexer = new Indexer(store, new Chunker(tokens, 400, 32), embedder, Clock.systemUTC(), 5);
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus)) {
            files = s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        long t0 = System.nanoTime();
        int chunks = 0;
        long bytes = 0;
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            bytes += text.length();
            var s = store.submit(TENANT, "nodejs", f.getFileName().toString(), f.getFileName().toString(),
                    DocumentKind.MARKDOWN, text, Chunker.sha256(text), Clock.systemUTC().instant());
            chunks += indexer.index(TENANT, s.document().id(), s.document().contentHash()).chunks();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "indexing (chunk + bge-small embed + store) of %d files, %.1f MB of %s: %,d "
                        + "chunks in %.1f s = %.1f chunks/s%n", files.size(), bytes / 1e6, corpus, chunks, seconds,
                chunks / seconds);

        List<String[]> questions = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(KnowledgeBenchmark.class
                .getResourceAsStream("/knowledge/nodejs-api-questions.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("#") && line.contains("\t")) {
                    questions.add(line.split("\t"));
                }
            }
        }
        TenantIndexes indexes = new TenantIndexes(store, embedder.dimensions(), 4);
        HybridSearch search = new HybridSearch(store, indexes, embedder, "_platform", "platform-docs");
        System.out.printf(Locale.ROOT, "quality over %d labelled questions (relevant = the labelled file; hits "
                + "deduplicated by file):%n", questions.size());
        for (SearchRequest.Mode mode : SearchRequest.Mode.values()) {
            double mrr = 0;
            double ndcg = 0;
            long[] times = new long[questions.size()];
            for (int i = 0; i < questions.size(); i++) {
                String[] q = questions.get(i);
                long s = System.nanoTime();
                List<SearchHit> hits = search.search(TENANT, new SearchRequest(q[0], 30, null, null, null, mode));
                times[i] = System.nanoTime() - s;
                LinkedHashSet<String> files2 = new LinkedHashSet<>();
                for (SearchHit h : hits) {
                    files2.add(h.path());
                }
                int rank = 0;
                int r = 0;
                for (String f : files2) {
                    r++;
                    if (r > 10) {
                        break;
                    }
                    if (f.equals(q[1])) {
                        rank = r;
                        break;
                    }
                }
                if (rank > 0) {
                    mrr += 1.0 / rank;
                    ndcg += 1.0 / (Math.log(rank + 1) / Math.log(2));
                }
            }
            System.out.printf(Locale.ROOT, "  %-8s MRR@10 %.3f  nDCG@10 %.3f  latency incl. query embedding %s%n",
                    mode.name().toLowerCase(Locale.ROOT), mrr / questions.size(), ndcg / questions.size(),
                    percentiles(times));
        }
        embedder.close();
        tokens.close();
        db.close();
    }

    // ---- helpers ----

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static String percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms", s[s.length / 2] / 1e6,
                s[(int) Math.ceil(s.length * 0.95) - 1] / 1e6, s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6);
    }

    /** Gives the precomputed vector of each benchmark query, so that latency excludes the model. */
    private record FixedEmbedder(Map<String, float[]> vectors) implements Embedder {
        @Override
        public String name() {
            return "fixed/384";
        }

        @Override
        public int dimensions() {
            return DIMS;
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] embedQuery(String text) {
            return vectors.get(text);
        }
    }
}
