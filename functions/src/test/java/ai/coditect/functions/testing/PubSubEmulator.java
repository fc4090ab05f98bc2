package ai.coditect.functions.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Google Cloud Pub/Sub emulator of the Cloud SDK, started on a free port for a test and stopped after it.
 * Ready when its own process is alive, its log says it listens on our port and the port answers "Ok" (another
 * process may hold the port, which the emulator only logs). Tests that need it fail, with the fix, when it is
 * not installed — they are never silently skipped.
 */
public final class PubSubEmulator implements AutoCloseable {
    public static final Path HOME = Path.of(System.getenv().getOrDefault("PUBSUB_EMULATOR_HOME",
            "/usr/lib/google-cloud-sdk/platform/pubsub-emulator"));

    private final Process process;
    private final int port;
    private final Path log;

    private PubSubEmulator(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static PubSubEmulator start() throws Exception {
        Path launcher = HOME.resolve("bin/cloud-pubsub-emulator");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("The Pub/Sub emulator is not installed at " + HOME + ". Install the Google "
                    + "Cloud CLI's emulator (apt-get install google-cloud-cli-pubsub-emulator, or gcloud components "
                    + "install pubsub-emulator) or set PUBSUB_EMULATOR_HOME to its directory.");
        }
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = TestPlatform.freePort();
            Path log = Files.createTempFile("pubsub-emulator", ".log");
            ProcessBuilder pb = new ProcessBuilder(List.of(launcher.toString(), "--host=127.0.0.1", "--port=" + port))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
            Process process = pb.start();
            PubSubEmulator emulator = new PubSubEmulator(process, port, log);
            try {
                emulator.awaitReady(Duration.ofSeconds(30));
                return emulator;
            } catch (Exception e) {
                last = e;
                emulator.close();
            }
        }
        throw new IllegalStateException("The Pub/Sub emulator did not start", last);
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the emulator exited: " + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (output.contains("listening on " + port)) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().trim().equals("Ok")) {
                        return;
                    }
                } catch (IOException ignored) {
                    // not yet
                }
            }
            if (output.contains("BindException")) {
                throw new IllegalStateException("port " + port + " is taken");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the emulator was not ready within " + timeout);
    }

    public int port() {
        return port;
    }

    /** The last {@code chars} characters the emulator wrote, for a test's failure message. */
    public String logTail(int chars) {
        try {
            String all = Files.readString(log, StandardCharsets.UTF_8);
            return all.substring(Math.max(0, all.length() - chars));
        } catch (IOException e) {
            return "(the emulator's log could not be read: " + e + ")";
        }
    }

    /** {@code host:port}, the value of {@code PUBSUB_EMULATOR_HOST}. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        Files.deleteIfExists(log);
    }
}
