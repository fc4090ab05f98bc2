package ai.coditect.functions.local;

import ai.coditect.shared.net.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * One function class in a JVM of its own under the Functions Framework invoker, started as Cloud Run starts it:
 * {@code java -jar java-function-invoker.jar} with {@code FUNCTION_TARGET}, {@code FUNCTION_SIGNATURE_TYPE},
 * {@code FUNCTION_CLASSPATH} and {@code PORT}, and otherwise exactly the environment given (nothing inherited), so
 * that a function needing another's configuration fails to start. For tests and the cold-start benchmark.
 */
public final class FunctionProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final long startedNanos;
    private final int port;
    private final Path log;

    private FunctionProcess(Process process, long startedNanos, int port, Path log) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code target} ({@code http} or {@code cloudevent} signature) from {@code classpath} with the
     * environment {@code env}; its output goes to {@code log}.
     */
    public static FunctionProcess start(Path invokerJar, String classpath, Class<?> target, String signatureType,
                                        Map<String, String> env, Path log) {
        int port = FreePorts.any();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-jar",
                invokerJar.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("FUNCTION_TARGET", target.getName());
        pb.environment().put("FUNCTION_SIGNATURE_TYPE", signatureType);
        pb.environment().put("FUNCTION_CLASSPATH", classpath);
        long started = System.nanoTime();
        try {
            return new FunctionProcess(pb.start(), started, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + java, e);
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The first answer to {@code request} (built for this process's URL), retried while nothing listens yet. */
    public HttpResponse<String> firstAnswer(Function<URI, HttpRequest> request, String path, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the function exited with " + process.exitValue() + " before "
                        + "answering; its output:\n" + output());
            }
            try {
                return HTTP.send(request.apply(uri(path)), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException | HttpTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the function did not answer within " + within + "; its output:\n"
                            + output());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // not listening yet: ask again shortly
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Milliseconds from the start of the JVM process to now. */
    public double millisSinceStart() {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    /**
     * Processor time the JVM used so far, all its threads together: steadier than the wall clock on a machine other
     * work shares. Zero where the system does not tell.
     */
    public double cpuMillis() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(0.0);
    }

    /** What the function wrote so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
