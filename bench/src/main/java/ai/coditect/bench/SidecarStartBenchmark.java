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
 * for two seconds. The last set uses an AOT cache (JDK 24+) made by a training run of the same jar first.
 * Usage: {@code ./coditect bench sidecar-start [runs]}.
 */
public final class SidecarStartBenchmark {
    /** The JVM options the container image had before (half the container as initial heap), in 256 MiB. */
    private static final List<String> IMAGE_BEFORE = List.of("-XX:MaxRAM=256m", "-XX:MaxRAMPercentage=75.0",
            "-XX:InitialRAMPercentage=50.0", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
            "-XX:-UsePerfData", "-Xss512k");
    /** The JVM options of the container image now (sidecar/pom.xml; all of them JDK 21's), in 256 MiB. */
    private static final List<String> IMAGE = List.of("-XX:MaxRAM=256m", "-XX:MaxRAMPercentage=75.0", "-Xms8m",
            "-XX:+UseSerialGC", "-XX:ReservedCodeCacheSize=24m", "-XX:CICompilerCount=2",
            "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-Xss256k");
    /** The image's options with what a JDK 25 base image would add: compact object headers (and the AOT cache). */
    private static final List<String> SMALL;

    static {
        List<String> small = new ArrayList<>(IMAGE);
        small.add("-XX:+UseCompactObjectHeaders");
        SMALL = List.copyOf(small);
    }

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
        try {
            // the training run: start, answer health and readiness, stop; the JVM writes the cache as it exits
            List<String> training = new ArrayList<>(SMALL);
            training.add("-XX:AOTCacheOutput=" + aot);
            Sample trained = once(work, training, platformPort, owner, tenant, true);
            System.out.printf("AOT cache: %s (%d MB, training run healthy after %d ms)%n", aot,
                    Files.exists(aot) ? Files.size(aot) / (1024 * 1024) : -1, trained.millis);
            List<String> small = new ArrayList<>(SMALL);
            small.add("-XX:AOTCache=" + aot);
            // the client compiler only: less code cache and no C2 compiler threads, slower relaying code
            List<String> c1 = new ArrayList<>(small);
            c1.add("-XX:TieredStopAtLevel=1");
            c1.remove("-XX:CICompilerCount=2");
            c1.add("-Xmx48m");
            System.out.printf("%d starts each, %d cores%n", runs, Runtime.getRuntime().availableProcessors());
            System.out.printf("%-22s %10s %10s %10s %10s%n", "JVM options", "healthy p50", "max ms", "RSS p50 MB", "max MB");
            for (Map.Entry<String, List<String>> c : List.of(
                    Map.entry("default (java -jar)", List.<String>of()),
                    Map.entry("image flags before", IMAGE_BEFORE),
                    Map.entry("image flags", IMAGE),
                    Map.entry("image + JDK 25 + AOT", (List<String>) small),
                    Map.entry("C1, 48m + AOT cache", (List<String>) c1))) {
                long[] millis = new long[runs];
                long[] rss = new long[runs];
                for (int i = 0; i < runs; i++) {
                    Sample s = once(work, c.getValue(), platformPort, owner, tenant, false);
                    millis[i] = s.millis;
                    rss[i] = s.rssKb;
                }
                Arrays.sort(millis);
                Arrays.sort(rss);
                System.out.printf("%-22s %10d %10d %10.1f %10.1f%n", c.getKey(), millis[runs / 2], millis[runs - 1],
                        rss[runs / 2] / 1024.0, rss[runs - 1] / 1024.0);
            }
            System.out.println("flags: image before = " + String.join(" ", IMAGE_BEFORE));
            System.out.println("flags: image = " + String.join(" ", IMAGE));
            System.out.println("flags: image + JDK 25 + AOT = " + String.join(" ", small));
            System.out.println("flags: C1 = " + String.join(" ", c1));
        } finally {
            platform.stop(0);
        }
        System.exit(0);
    }

    private record Sample(long millis, long rssKb) {
    }

    private static Sample once(Path work, List<String> options, int platformPort, String owner, String tenant,
                               boolean training) throws Exception {
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
            if (training) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return new Sample(millis, 0);
            }
            Thread.sleep(2_000); // idle
            return new Sample(millis, rssKb(p.pid()));
        } finally {
            p.destroy(); // SIGTERM: the training run writes its cache while exiting
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            http.close();
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
