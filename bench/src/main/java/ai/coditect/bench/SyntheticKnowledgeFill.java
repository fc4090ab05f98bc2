package ai.coditect.bench;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.knowledge.KnowledgeStore;
import ai.coditect.knowledge.embedding.LocalEmbedder;
import ai.coditect.shared.config.Environment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Fills a stopped local platform's data directory with synthetic knowledge for one tenant, for
 * {@code ./coditect bench knowledge-http --synthetic N}: the store and key layout opened exactly as
 * {@code ./coditect dev} opens them ({@code CODITECT_STORE}, default {@code embedded:<dir>}; {@code CODITECT_ENV},
 * default {@code local}), the chunks written through {@link KnowledgeStore} as {@code ./coditect bench knowledge}
 * writes them in memory, and query texts made of the chunks' words written one a line to a file.
 * With a sixth argument {@code m}, it then times the platform's local model embedding the queries after the first 50
 * ({@code m} of them, one at a time), the part of an HTTP search's latency spent before the scan.
 * Usage: {@code SyntheticKnowledgeFill <data dir> <tenant id> <chunks> <queries file> <queries> [m]}.
 */
public final class SyntheticKnowledgeFill {
    private SyntheticKnowledgeFill() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 5 || args.length > 6) {
            System.err.println("usage: SyntheticKnowledgeFill <data dir> <tenant id> <chunks> <queries file> <queries> [m]");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        String tenantId = args[1];
        int n = Integer.parseInt(args[2]);
        Path queriesFile = Path.of(args[3]);
        int queries = Integer.parseInt(args[4]);

        Random rnd = new Random(42);
        SyntheticChunks synthetic = SyntheticChunks.generate(n, rnd);
        StoreConfig config = StoreConfig.read(new Environment(System.getenv()), Defaults.local(dataDir, 0));
        System.out.printf(Locale.ROOT, "writing %,d synthetic chunks (%d dims) for tenant %s into %s (keyspace %s)...%n",
                n, SyntheticChunks.DIMS, tenantId, config.url(), config.environment());
        double seconds;
        long c0;
        try (Store store = Store.open(config)) {
            KnowledgeStore knowledge = new KnowledgeStore(store.database(), store.keyspace(), Clock.systemUTC());
            seconds = synthetic.write(knowledge, tenantId, "synthetic");
            c0 = System.nanoTime();
        }
        System.out.printf(Locale.ROOT, "fill: %,d chunks with vectors and postings written in %.1f s = %,.0f chunks/s "
                + "(no embedding); store closed in %.1f s%n", n, seconds, n / seconds, (System.nanoTime() - c0) / 1e9);

        // each query: three words of a random chunk, so the keyword side has postings to read
        List<String> lines = new ArrayList<>(queries);
        for (int q = 0; q < queries; q++) {
            lines.add(synthetic.queryWords(rnd.nextInt(n)));
        }
        Files.write(queriesFile, lines, StandardCharsets.UTF_8);
        if (args.length == 6) {
            timeQueryEmbedding(lines, Integer.parseInt(args[5]));
        }
    }

    /** The platform's embedder (the same model and thread count) on the queries after the 50 of the warm-up. */
    private static void timeQueryEmbedding(List<String> queries, int m) {
        int warmup = Math.min(50, queries.size());
        List<String> measured = queries.subList(warmup, Math.min(queries.size(), warmup + m));
        if (measured.isEmpty()) {
            return;
        }
        try (LocalEmbedder embedder = new LocalEmbedder(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            long l0 = System.nanoTime();
            embedder.embedQuery(queries.getFirst());
            long loaded = System.nanoTime() - l0;
            for (String q : queries.subList(1, warmup)) {
                embedder.embedQuery(q);
            }
            long[] nanos = new long[measured.size()];
            for (int i = 0; i < nanos.length; i++) {
                long s = System.nanoTime();
                embedder.embedQuery(measured.get(i));
                nanos[i] = System.nanoTime() - s;
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "query embedding alone, in this process with the platform stopped (model "
                            + "load and first query %.0f ms): %d queries, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n",
                    loaded / 1e6, nanos.length, nanos[nanos.length / 2] / 1e6,
                    nanos[(int) Math.ceil(nanos.length * 0.95) - 1] / 1e6,
                    nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6);
        }
    }
}
