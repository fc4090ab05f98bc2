package ai.coditect.bench;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.tuple.Tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Throughput and latency of the embedded engine, on a directory (write-ahead log, fsync per group commit) and in
 * memory: 1-key commits with 1, 8 and 64 concurrent writers, point reads, a 1,000-key range read, and the cost
 * of commits to one hot key while a reader holds a read version open for four seconds, against without it.
 * Usage: {@code ./coditect bench store [seconds per figure, default 3]}.
 */
public final class StoreBenchmark {
    private static final int PRELOADED_KEYS = 100_000;
    /** Process-CPU figures of the hot-key measurement, printed after the table. */
    private static final List<String> hotCpu = new ArrayList<>();

    private StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        System.out.printf("embedded engine, %d cores, %s, %.0f s per figure%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), seconds);
        System.out.printf("%-10s %14s %14s %14s %8s %14s %18s %22s%n", "store", "commits/s w=1", "commits/s w=8",
                "commits/s w=64", "w64/w1", "point reads/s", "range 1000 p50/p99", "hot commit µs, reader");
        Path dir = Files.createTempDirectory("coditect-bench-store");
        try {
            try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
                row("directory", db, seconds);
            }
            try (EmbeddedDatabase db = EmbeddedDatabase.inMemory()) {
                row("memory", db, seconds);
            }
        } finally {
            deleteTree(dir);
        }
        hotCpu.forEach(System.out::println);
    }

    private static void row(String name, Database db, double seconds) throws InterruptedException {
        double w1 = commits(db, 1, seconds);
        double w8 = commits(db, 8, seconds);
        double w64 = commits(db, 64, seconds);
        preload(db);
        double reads = pointReads(db, 2, seconds);
        double[] range = rangeReads(db, 500);
        hotKeyCommits(db, false, 1); // warm-up, not counted
        double[] alone = hotKeyCommits(db, false, 4);
        double[] underReader = hotKeyCommits(db, true, 4);
        System.out.printf("%-10s %14.0f %14.0f %14.0f %7.1fx %14.0f %8.2f/%.2f ms %7.1f / %.1f (%.2fx)%n", name, w1,
                w8, w64, w64 / w1, reads, range[0], range[1], alone[0], underReader[0], underReader[0] / alone[0]);
        hotCpu.add(String.format("%-10s hot-key commit, process CPU µs: %.2f alone, %.2f under the reader (%.2fx)",
                name, alone[1], underReader[1], underReader[1] / alone[1]));
    }


    /**
     * Microseconds per commit (wall clock, and process CPU, which includes the garbage collector) of one writer
     * that sets the same key over and over, optionally while another transaction holds the read version it took
     * at the start (so every version must be kept).
     */
    private static double[] hotKeyCommits(Database db, boolean withReader, int seconds) {
        byte[] hot = Tuple.from("hot", withReader).pack();
        byte[] value = new byte[64];
        com.apple.foundationdb.Transaction reader = null;
        if (withReader) {
            reader = db.createTransaction();
            reader.get(hot).join();
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long count = 0;
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        long now = t0;
        while (now < end) {
            db.run(tr -> {
                tr.set(hot, value);
                return null;
            });
            count++;
            now = System.nanoTime();
        }
        long cpu = os.getProcessCpuTime() - cpu0;
        if (reader != null) {
            reader.snapshot().get(hot).join(); // the reader is still valid at the end
            reader.close();
        }
        return new double[] {(now - t0) / 1e3 / count, cpu / 1e3 / count};
    }

    private static double commits(Database db, int writers, double seconds) throws InterruptedException {
        return timed(writers, seconds, (writer, counter, running) -> {
            long i = 0;
            byte[] value = new byte[64];
            while (running.get()) {
                byte[] key = Tuple.from("w", writer, i++).pack();
                db.run(tr -> {
                    tr.set(key, value);
                    return null;
                });
                counter.increment();
            }
        });
    }

    private static void preload(Database db) {
        for (int batch = 0; batch < PRELOADED_KEYS; batch += 1_000) {
            int from = batch;
            db.run(tr -> {
                for (int i = from; i < from + 1_000; i++) {
                    tr.set(Tuple.from("p", i).pack(), new byte[100]);
                }
                return null;
            });
        }
    }

    private static double pointReads(Database db, int readers, double seconds) throws InterruptedException {
        return timed(readers, seconds, (reader, counter, running) -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running.get()) {
                byte[] key = Tuple.from("p", random.nextInt(PRELOADED_KEYS)).pack();
                if (db.read(tr -> tr.get(key).join()) == null) {
                    throw new IllegalStateException("preloaded key missing");
                }
                counter.increment();
            }
        });
    }

    /** Milliseconds of reading 1,000 consecutive keys: median and 99th percentile. */
    private static double[] rangeReads(Database db, int iterations) {
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            int start = ThreadLocalRandom.current().nextInt(PRELOADED_KEYS - 1_000);
            long t0 = System.nanoTime();
            int n = db.read(tr -> tr.getRange(Tuple.from("p", start).pack(), Tuple.from("p", start + 1_000).pack())
                    .asList().join().size());
            nanos[i] = System.nanoTime() - t0;
            if (n != 1_000) {
                throw new IllegalStateException("range returned " + n);
            }
        }
        Arrays.sort(nanos);
        return new double[] {nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.99)] / 1e6};
    }

    private interface Worker {
        void run(int index, LongAdder counter, AtomicBoolean running) throws Exception;
    }

    private static double timed(int threads, double seconds, Worker worker) throws InterruptedException {
        LongAdder counter = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    worker.run(index, counter, running);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            }));
        }
        Thread.sleep((long) (seconds * 500)); // warm-up, not counted
        long before = counter.sum();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long count = counter.sum() - before;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        running.set(false);
        done.await();
        return count / elapsed;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
