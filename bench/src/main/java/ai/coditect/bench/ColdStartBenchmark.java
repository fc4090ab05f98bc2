package ai.coditect.bench;

import ai.coditect.functions.agents.AgentsFunction;
import ai.coditect.functions.auth.AuthFunction;
import ai.coditect.functions.auth.JwksFunction;
import ai.coditect.functions.cleanup.CleanupFunction;
import ai.coditect.functions.local.FunctionProcess;
import ai.coditect.functions.workspaces.ProvisionFunction;
import ai.coditect.functions.workspaces.WorkspacesFunction;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventCodec;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.net.FreePorts;
import ai.coditect.shared.tokens.SigningKeys;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Cold start of each deployable function: a new JVM under the real Functions Framework invoker, started as Cloud
 * Run starts it and with only that function's environment, timed from the process start to its first answer (HTTP
 * functions: an HTTP request; Pub/Sub functions: an Eventarc CloudEvent POST), against a trivial function in the
 * same run. Runs are interleaved so that the machine's load falls on every function alike. Prints the medians of
 * the wall-clock time and of the processor time the JVM used until then (steadier on a shared machine).
 * Usage: {@code ./coditect bench cold-start [runs, default 5]}.
 */
public final class ColdStartBenchmark {
    private static final String ISSUER = "https://coditect.example.com";
    private static final Duration WITHIN = Duration.ofMinutes(3);

    private ColdStartBenchmark() {
    }

    /** One function: its class, signature, environment and first request. */
    private record Case(String name, Class<?> function, String signature, Map<String, String> env, String path,
                        Function<URI, HttpRequest> request, int expected) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path invoker = Path.of(System.getProperty("coditect.invoker.jar",
                "functions/target/invoker/java-function-invoker.jar"));
        String classpath = System.getProperty("java.class.path");
        Path logs = Files.createTempDirectory("coditect-bench-cold-start");
        SigningKeys keys = SigningKeys.generate();
        List<Case> cases = cases(keys);
        Map<String, List<Double>> times = new HashMap<>();
        Map<String, List<Double>> cpu = new HashMap<>();
        for (int run = 0; run < runs; run++) {
            for (Case c : cases) {
                try (FunctionProcess p = FunctionProcess.start(invoker, classpath, c.function(), c.signature(),
                        c.env(), logs.resolve(c.name() + "-" + run + ".log"))) {
                    HttpResponse<String> answer = p.firstAnswer(c.request(), c.path(), WITHIN);
                    double ms = p.millisSinceStart();
                    double cpuMs = p.cpuMillis();
                    if (answer.statusCode() != c.expected()) {
                        throw new IllegalStateException(c.name() + " answered " + answer.statusCode() + " (expected "
                                + c.expected() + "): " + answer.body() + "\n" + p.output());
                    }
                    times.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(ms);
                    cpu.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(cpuMs);
                }
            }
        }
        double trivial = median(times.get("trivial"));
        double trivialCpu = median(cpu.get("trivial"));
        System.out.printf("cold start under the Functions Framework invoker 2.0.0, JVM start to first answer, "
                        + "%d runs each, %d cores, JDK %s, load average %.1f%n", runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("%-12s %-28s %10s %10s %10s %12s %10s%n", "function", "first request", "median ms",
                "min ms", "x trivial", "CPU ms (med)", "x trivial");
        for (Case c : cases) {
            List<Double> t = times.get(c.name());
            List<Double> u = cpu.get(c.name());
            System.out.printf("%-12s %-28s %10.0f %10.0f %10.2f %12.0f %10.2f%n", c.name(),
                    c.signature().equals("cloudevent") ? "CloudEvent POST" : c.request().apply(URI.create("http://h"
                            + c.path())).method() + " " + c.path(),
                    median(t), t.stream().mapToDouble(Double::doubleValue).min().orElse(0), median(t) / trivial,
                    median(u), median(u) / trivialCpu);
        }
    }

    private static List<Case> cases(SigningKeys keys) {
        Map<String, String> pubSub = Map.of("CODITECT_GCP_PROJECT", "cold-start",
                "PUBSUB_EMULATOR_HOST", "127.0.0.1:" + FreePorts.any()); // named, never reached by these requests
        Map<String, String> store = Map.of("CODITECT_STORE", "memory:");
        String publicKeys = keys.publicKeys().toString();
        Function<URI, HttpRequest> get = uri -> HttpRequest.newBuilder(uri).GET().build();
        List<Case> out = new ArrayList<>();
        out.add(new Case("trivial", TrivialFunction.class, "http", Map.of(), "/", get, 200));
        out.add(new Case("jwks", JwksFunction.class, "http", Map.of("CODITECT_PUBLIC_KEYS", publicKeys),
                "/.well-known/jwks.json", get, 200));
        out.add(new Case("auth", AuthFunction.class, "http", merge(pubSub, store, Map.of("CODITECT_ISSUER", ISSUER,
                "CODITECT_SIGNING_KEYS", keys.toPrivateJson())), "/v1/auth/session", get, 401));
        out.add(new Case("workspaces", WorkspacesFunction.class, "http", merge(pubSub, store, Map.of(
                "CODITECT_ISSUER", ISSUER, "CODITECT_PUBLIC_KEYS", publicKeys,
                "CODITECT_WORKSPACE_BACKEND", "kubernetes")), "/v1/workspaces/me", get, 401));
        out.add(new Case("agents", AgentsFunction.class, "http", merge(pubSub, store, Map.of(
                "CODITECT_ISSUER", ISSUER, "CODITECT_PUBLIC_KEYS", publicKeys)), "/v1/agents", get, 401));
        out.add(new Case("cleanup", CleanupFunction.class, "cloudevent", merge(pubSub, store, Map.of()), "/",
                cloudEvent(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), Clock.systemUTC())), 200));
        out.add(new Case("provision", ProvisionFunction.class, "cloudevent", merge(store, Map.of(
                "CODITECT_PUBLIC_URL", ISSUER, "CODITECT_WORKSPACE_BACKEND", "kubernetes")), "/",
                cloudEvent(Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, Ids.newId(), Ids.newId(), Map.of(),
                        Clock.systemUTC())), 200));
        return out;
    }

    @SafeVarargs
    private static Map<String, String> merge(Map<String, String>... parts) {
        Map<String, String> out = new HashMap<>();
        for (Map<String, String> p : parts) {
            out.putAll(p);
        }
        return out;
    }

    /** The binary-mode CloudEvent Eventarc POSTs for a Pub/Sub message carrying {@code event}. */
    private static Function<URI, HttpRequest> cloudEvent(Event event) {
        byte[] body = Json.bytes(Map.of("message", Map.of(
                        "data", Base64.getEncoder().encodeToString(event.toJson()),
                        "attributes", EventCodec.attributes(event), "messageId", "1",
                        "publishTime", event.occurredAt().toString()),
                "subscription", "projects/cold-start/subscriptions/cold-start"));
        return uri -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .header("ce-type", "google.cloud.pubsub.topic.v1.messagePublished")
                .header("ce-source", "//pubsub.googleapis.com/projects/cold-start/topics/cold-start")
                .header("ce-id", Ids.newId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
