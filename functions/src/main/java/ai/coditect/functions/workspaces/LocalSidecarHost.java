package ai.coditect.functions.workspaces;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.net.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one process that hosts the sidecars of every local workspace ({@code java -jar coditect-sidecar.jar host}):
 * started when a sidecar is first needed, and again after it died; sidecars are added and removed over its
 * loopback control API with a token only this platform knows.
 */
final class LocalSidecarHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalSidecarHost.class.getName());
    /** A JVM starting on a machine shared by many builds can take this long. */
    private static final Duration START_WAIT = Duration.ofSeconds(120);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Sidecars started at once: a few side by side keep the host busy, while hundreds at once (a crowd signing up)
     * would all wait on a starved JVM and time out together.
     */
    private static final int STARTING_AT_ONCE = 4;

    /** A hosted sidecar could not be started, with the host's reason; {@code portTaken} when that was the cause. */
    static final class NotStarted extends IOException {
        final boolean portTaken;

        NotStarted(String message, boolean portTaken) {
            super(message);
            this.portTaken = portTaken;
        }
    }

    private final Path jar;
    private final Path log;
    private final List<String> jvmOptions;
    private final HttpClient http;
    private final BiConsumer<Process, Duration> ended;
    private final String token = "host-" + Ids.newId() + Ids.newId();
    private final java.util.concurrent.Semaphore starts = new java.util.concurrent.Semaphore(STARTING_AT_ONCE, true);
    private Process process;
    private int port;
    private boolean closed;

    /** {@code ended} hears of a host that ended without being closed, and how long it had lived. */
    LocalSidecarHost(Path jar, Path log, List<String> jvmOptions, HttpClient http,
                     BiConsumer<Process, Duration> ended) {
        this.jar = jar;
        this.log = log;
        this.jvmOptions = jvmOptions;
        this.http = http;
        this.ended = ended;
    }

    /** The running host process, started now if there is none; null once closed. */
    synchronized Process ensureRunning() throws IOException {
        if (closed) {
            throw new IOException("The local workspaces are shutting down.");
        }
        if (process != null && process.isAlive()) {
            return process;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IOException("The local workspaces need the sidecar, which is not built yet (" + jar
                    + "): run ./coditect build.");
        }
        Files.createDirectories(log.getParent());
        int controlPort = FreePorts.any();
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "host"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CODITECT_SIDECAR_HOST_PORT", Integer.toString(controlPort));
        pb.environment().put("CODITECT_SIDECAR_HOST_TOKEN", token);
        Process started = pb.start();
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (!healthy(controlPort)) {
            if (!started.isAlive()) {
                throw new IOException("The sidecar host stopped as it started (exit " + started.exitValue()
                        + "); its log is " + log + ".");
            }
            if (System.nanoTime() > deadline) {
                started.destroyForcibly();
                throw new IOException("The sidecar host did not answer within " + START_WAIT.toSeconds()
                        + " s; its log is " + log + ".");
            }
            try {
                started.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                started.destroyForcibly();
                throw new IOException("Interrupted while the sidecar host started.", e);
            }
        }
        process = started;
        port = controlPort;
        long startedAt = System.nanoTime();
        started.onExit().thenAccept(p -> {
            synchronized (this) {
                if (closed || process != p) {
                    return;
                }
            }
            ended.accept(p, Duration.ofNanos(System.nanoTime() - startedAt));
        });
        LogFields.of("pid", started.pid(), "port", controlPort).log(LOG, Level.INFO, "sidecar host started");
        return started;
    }

    /** The host process if one runs now, without starting one. */
    synchronized Process current() {
        return process != null && process.isAlive() ? process : null;
    }

    /**
     * Starts the sidecar {@code name} with {@code environment} (the variables a sidecar process reads), starting
     * the host first if needed; a sidecar of that name that runs already is kept.
     */
    void add(String name, Map<String, String> environment) throws IOException {
        ensureRunning();
        HttpResponse<byte[]> res;
        try {
            starts.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting to start the workspace's sidecar.", e);
        }
        try {
            res = control("PUT", name, Json.bytes(Map.of("environment", environment)));
        } finally {
            starts.release();
        }
        if (res.statusCode() == 200 || res.statusCode() == 201) {
            return;
        }
        String detail = detail(res);
        throw new NotStarted("The workspace's sidecar could not be started: " + detail, res.statusCode() == 409);
    }

    /** True when the running host serves a sidecar of this name. */
    boolean hosts(String name) {
        if (current() == null) {
            return false;
        }
        try {
            return control("GET", name, null).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the sidecar {@code name} if the host runs it (its WebSockets are closed as going away). */
    void remove(String name) throws IOException {
        if (current() == null) {
            return;
        }
        HttpResponse<byte[]> res = control("DELETE", name, null);
        if (res.statusCode() != 204 && res.statusCode() != 404) {
            throw new IOException("The sidecar host did not stop the workspace's sidecar: " + detail(res));
        }
    }

    private HttpResponse<byte[]> control(String method, String name, byte[] body) throws IOException {
        int p;
        synchronized (this) {
            p = port;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/v1/sidecars/" + name))
                .timeout(CONTROL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while talking to the sidecar host.", e);
        }
    }

    private static String detail(HttpResponse<byte[]> res) {
        try {
            JsonNode problem = Json.tree(res.body());
            if (problem.hasNonNull("detail")) {
                return problem.get("detail").asText();
            }
        } catch (RuntimeException e) {
            // not a problem document: say what status came back
        }
        return "the sidecar host answered " + res.statusCode() + ".";
    }

    private boolean healthy(int controlPort) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controlPort + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** No host is started from now on; returns the running one, which the caller ends (SIGTERM drains it). */
    synchronized Process closeAndGet() {
        closed = true;
        return current();
    }

    @Override
    public void close() {
        Process p = closeAndGet();
        if (p != null) {
            p.destroy();
        }
    }
}
