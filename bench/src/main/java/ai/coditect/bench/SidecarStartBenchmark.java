package ai.coditect.bench;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.tokens.SigningKeys;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's footprint: starts its packaged jar N times (default 10) with each set of JVM options and prints
 * the time from process start to a 200 from {@code /healthz}, and the resident set size once it has been idle
 * for two seconds. Every set runs as in a 256 MiB container ({@code -XX:MaxRAM=256m}). The sets: no options, the
 * image's options before they moved into {@code sidecar/src/main/jvm/sidecar.jvm.options}, that file (what the
 * image and the local platform use), the file with an AOT cache (JDK 24+) made first by the sidecar's own training
 * run of the same jar ({@code train}, as the image build does), and that with the client compiler only. Then the
 * classes an idle sidecar has loaded without and with the cache, and one start of the file's options with the AOT
 * cache under native memory tracking, whose summary is printed. Usage: {@code ./coditect bench sidecar-start [runs]}.
 */
public final class SidecarStartBenchmark {
    /** The JVM options the container image had before (half the container as initial heap). */
    private static final List<String> IMAGE_BEFORE = List.of("-XX:MaxRAMPercentage=75.0",
            "-XX:InitialRAMPercentage=50.0", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
            "-XX:-UsePerfData", "-Xss512k");
    /** A 256 MiB container. */
    private static final String CONTAINER = "-XX:MaxRAM=256m";

    private SidecarStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path work = Files.createTempDirectory("coditect-bench-sidecar-start");
        SigningKeys keys = SigningKeys.generate();
        String owner = Ids.newId();
        String tenant = Ids.newId();
        HttpServer platform = SidecarBenchmark.platform(keys, owner, tenant, Ids.newId());
        int platformPort = platform.getAddress().getPort();
        Path aot = work.resolve("sidecar.aot");
        List<String> image = new ArrayList<>(List.of(CONTAINER));
        image.addAll(SidecarBenchmark.sidecarJvmOptions());
        try {
            // the image's training run (Main train: start, answer the probes, stop); the JVM writes the cache as it
            // exits, and the image does the same (cloudbuild.yaml, step sidecar-aot-cache)
            List<String> training = new ArrayList<>(image);
            training.add("-XX:AOTCacheOutput=" + aot);
            long trainedMillis = train(work, training);
            System.out.printf("AOT cache: %s (%.1f MB, training run and cache written in %d ms)%n", aot,
                    Files.exists(aot) ? Files.size(aot) / (1024.0 * 1024) : -1, trainedMillis);
            List<String> cached = new ArrayList<>(image);
            cached.add("-XX:AOTCache=" + aot);
            // the client compiler only: less code cache and no C2 compiler threads, slower relaying code
            List<String> c1 = new ArrayList<>(cached);
            c1.remove("-XX:CICompilerCount=2");
            c1.add("-XX:TieredStopAtLevel=1");
            List<String> before = new ArrayList<>(List.of(CONTAINER));
            before.addAll(IMAGE_BEFORE);
            System.out.printf("%d starts each, %d cores, load %s%n", runs, Runtime.getRuntime().availableProcessors(),
                    Proc.loadAverage());
            System.out.printf("%-26s %11s %10s %10s %10s%n", "JVM options", "healthy p50", "max ms", "RSS p50 MB",
                    "max MB");
            for (Map.Entry<String, List<String>> c : List.of(
                    Map.entry("no options (java -jar)", List.of(CONTAINER)),
                    Map.entry("image options before", (List<String>) before),
                    Map.entry("sidecar.jvm.options", (List<String>) image),
                    Map.entry("sidecar.jvm.options + AOT", (List<String>) cached),
                    Map.entry("the same, C1 only", (List<String>) c1))) {
                long[] millis = new long[runs];
                long[] rss = new long[runs];
                for (int i = 0; i < runs; i++) {
                    Sample s = once(work, c.getValue(), platformPort, owner, tenant, false);
                    millis[i] = s.millis;
                    rss[i] = s.rssKb;
                }
                Arrays.sort(millis);
                Arrays.sort(rss);
                System.out.printf("%-26s %11d %10d %10.1f %10.1f   load %s%n", c.getKey(), millis[runs / 2],
                        millis[runs - 1], rss[runs / 2] / 1024.0, rss[runs - 1] / 1024.0, Proc.loadAverage());
            }
            System.out.println("flags: image before = " + String.join(" ", before));
            System.out.println("flags: sidecar.jvm.options = " + String.join(" ", image));
            System.out.println("flags: + AOT = " + String.join(" ", cached));
            System.out.println("flags: C1 = " + String.join(" ", c1));
            for (Map.Entry<String, List<String>> c : List.of(Map.entry("sidecar.jvm.options", image),
                    Map.entry("sidecar.jvm.options + AOT", cached))) {
                // with the cache, every class in it counts: the JVM loads them all as it starts
                Path loaded = work.resolve("classes.txt");
                List<String> logged = new ArrayList<>(c.getValue());
                logged.add("-Xlog:class+load:file=" + loaded);
                once(work, logged, platformPort, owner, tenant, false);
                System.out.printf("classes loaded after two idle seconds, %s: %d%n", c.getKey(),
                        Files.readAllLines(loaded).size());
            }
            List<String> tracked = new ArrayList<>(cached);
            tracked.add("-XX:NativeMemoryTracking=summary");
            System.out.println("native memory of one idle start with sidecar.jvm.options + AOT (committed):");
            once(work, tracked, platformPort, owner, tenant, true);
        } finally {
            platform.stop(0);
        }
        System.exit(0);
    }

    private record Sample(long millis, long rssKb) {
    }

    /** Runs the sidecar's training run ({@code -jar coditect-sidecar.jar train}) to its exit; its time in ms. */
    private static long train(Path work, List<String> options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-jar", Path.of("sidecar/target/coditect-sidecar.jar").toString(), "train"));
        Path log = work.resolve("sidecar-training.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the training run did not end; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the training run failed; see " + log);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static Sample once(Path work, List<String> options, int platformPort, String owner, String tenant,
                               boolean nativeMemory) throws Exception {
        int port = SidecarBenchmark.freePort();
        int management = SidecarBenchmark.freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-jar", Path.of("sidecar/target/coditect-sidecar.jar").toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        var env = pb.environment();
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(port));
        env.put("MANAGEMENT_PORT", Integer.toString(management));
        env.put("THEIA_URL", "http://127.0.0.1:" + platformPort);
        env.put("CODI2_URL", "none");
        env.put("CODITECT_OWNER_USER_ID", owner);
        env.put("CODITECT_OWNER_TENANT_ID", tenant);
        env.put("CODITECT_ISSUER", "https://bench");
        env.put("CODITECT_JWKS_URL", "http://127.0.0.1:" + platformPort + "/jwks");
        env.put("CODITECT_SESSION_URL", "http://127.0.0.1:" + platformPort + "/session");
        env.put("CODITECT_ACTIVITY_URL", "http://127.0.0.1:" + platformPort + "/activity");
        env.put("CODITECT_AGENT_TOKEN", "bench");
        env.put("CODITECT_LOG_LEVEL", "WARNING");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long t0 = System.nanoTime();
        Process p = pb.redirectErrorStream(true).redirectOutput(work.resolve("sidecar-start.log").toFile()).start();
        try {
            URI health = URI.create("http://127.0.0.1:" + management + "/healthz");
            long millis = -1;
            while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60) && p.isAlive()) {
                try {
                    if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        millis = (System.nanoTime() - t0) / 1_000_000;
                        break;
                    }
                } catch (IOException e) {
                    Thread.sleep(5); // not listening yet
                }
            }
            if (millis < 0) {
                throw new IllegalStateException("the sidecar did not become healthy; see " + work.resolve("sidecar-start.log"));
            }
            Thread.sleep(2_000); // idle
            Sample sample = new Sample(millis, Proc.rssKb(p.pid()));
            if (nativeMemory) {
                printNativeMemory(p.pid());
            }
            return sample;
        } finally {
            p.destroy(); // SIGTERM
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            http.close();
        }
    }

    /** The committed sizes of jcmd's native memory summary, one line per category. */
    private static void printNativeMemory(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor(30, TimeUnit.SECONDS);
        for (String line : out.split("\\R")) {
            String l = line.trim();
            if (l.startsWith("Total:") || l.startsWith("-")) {
                System.out.println("  " + l.replaceFirst("^-\\s*", "").replaceAll("reserved=\\d+KB, ", ""));
            }
        }
        System.out.println("  RSS " + Proc.rssKb(pid) / 1024 + " MB");
    }

}
