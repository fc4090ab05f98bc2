package ai.coditect.bench;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.net.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The whole local platform under virtual IDE users: starts it as {@code ./coditect dev} does (its own JVM, the
 * embedded engine on disk, workspaces in the sidecar host) with an echo server in place of Theia, then ramps up N
 * users on virtual threads that sign up (some log in again), wait for their workspace, hold a WebSocket through
 * their own workspace's sidecar with editor-like traffic, check their session at the sidecar's re-check rate, open
 * the account page now and then, and log out at the end. Prints a line every five seconds and, at the end, each
 * operation's latency percentiles and errors and the CPU and memory of the platform and the sidecar host.
 * Users start evenly over R seconds (the ramp) and keep going S seconds after the last has started. Usage:
 * {@code ./coditect bench load [--users N] [--seconds S] [--ramp R]}.
 */
public final class LoadBenchmark {
    private static final String PASSWORD = "correct horse battery staple";
    /** The sidecar's default session re-check: the rate at which an open IDE has its session looked at. */
    private static final Duration SESSION_CHECK = Duration.ofSeconds(4);
    private static final Duration FRAME_EVERY = Duration.ofMillis(250);
    private static final Duration BIG_EVERY = Duration.ofSeconds(30);
    private static final Duration ACCOUNT_EVERY = Duration.ofSeconds(30);
    private static final int BIG_BYTES = 100 * 1024;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUNNING_WAIT = Duration.ofSeconds(300);
    private static final Duration ECHO_WAIT = Duration.ofSeconds(15);
    private static final Duration REPORT_EVERY = Duration.ofSeconds(5);
    /** How long a user keeps trying again after "busy, try again in a moment" before giving up. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final Map<String, Latencies> ops = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder errorCount = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger editing = new AtomicInteger();
    private final List<HttpClient> clients = new ArrayList<>();
    private final String run = Ids.newId().substring(0, 8);
    private String base;
    private long endAt;

    private LoadBenchmark() {
    }

    /**
     * One user's HTTP client and address: each user comes from an address of its own, which Google's front end
     * appends to {@code X-Forwarded-For} in production (the platform's per-address limits count per user then).
     */
    private record Client(HttpClient http, String address) {
    }

    public static void main(String[] args) throws Exception {
        int users = 100;
        int seconds = 60;
        int ramp = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--users" -> users = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--ramp" -> ramp = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: bench load [--users N] [--seconds S] [--ramp R]");
            }
        }
        if (ramp < 0) {
            // signing up hashes a password (Argon2id, ~35 ms of a core): five a second leaves room for the rest
            ramp = Math.max(10, users / 5);
        }
        new LoadBenchmark().run(users, seconds, ramp);
    }

    private void run(int users, int seconds, int ramp) throws Exception {
        Path work = Files.createTempDirectory("coditect-bench-load");
        WebServer echo = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> res.send("echo")))
                .addRouting(WsRouting.builder().endpoint("/*", Echo::new)).build().start();
        int port = FreePorts.any();
        Process platform = startPlatform(work, port, echo.port());
        Runtime.getRuntime().addShutdownHook(new Thread(platform::destroy, "bench-stop-platform"));
        base = "http://127.0.0.1:" + port;
        for (int i = 0; i < Math.max(1, users / 50); i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build());
        }
        try {
            awaitHealthy(platform);
            System.out.printf(Locale.ROOT, "Load: %d users, %d s (ramp %d s), %d cores, load average %s, platform pid %d%n",
                    users, seconds, ramp, Runtime.getRuntime().availableProcessors(), loadAverage(), platform.pid());
            long start = System.nanoTime();
            endAt = start + TimeUnit.SECONDS.toNanos(ramp + seconds);
            List<Thread> threads = new ArrayList<>();
            Usage usage = new Usage(platform);
            Thread reporter = Thread.ofPlatform().daemon().start(() -> report(start, usage));
            for (int i = 0; i < users; i++) {
                long at = start + (long) (i * (ramp * 1e9 / users));
                int index = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    sleepUntil(at);
                    user(index);
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            reporter.interrupt();
            System.out.printf(Locale.ROOT, "%nDone after %.0f s; load average %s%n", (System.nanoTime() - start) / 1e9,
                    loadAverage());
            summary(usage);
        } finally {
            platform.destroy();
            if (!platform.waitFor(60, TimeUnit.SECONDS)) {
                platform.destroyForcibly();
            }
            echo.stop();
            System.out.println("platform log and data: " + work);
        }
    }

    // ---- one user ----

    private void user(int index) {
        active.incrementAndGet();
        Client http = new Client(clients.get(index % clients.size()),
                "10." + (index >> 16 & 255) + "." + (index >> 8 & 255) + "." + (index & 255));
        String email = "load-" + run + "-" + index + "@example.com";
        String token = null;
        try {
            JsonNode signup = call(http, "signup", "POST", "/v1/auth/signup", null,
                    "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}", 201, 409);
            if (signup == null || signup.isMissingNode() || !signup.has("accessToken") || index % 10 == 9) {
                // a returning user (or one whose email is taken): logs in, from a second browser
                JsonNode login = call(http, "login", "POST", "/v1/auth/login", null,
                        "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}", 200);
                token = login.get("accessToken").asText();
            } else {
                token = signup.get("accessToken").asText();
            }
            URI workspace = awaitWorkspace(http, token);
            if (workspace == null) {
                return;
            }
            editor(http, token, workspace);
        } catch (Failed e) {
            // counted where it happened
        } catch (RuntimeException e) {
            error("user", e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (token != null) {
                try {
                    call(http, "logout", "POST", "/v1/auth/logout", token, null, 204);
                } catch (Failed e) {
                    // counted
                }
            }
            active.decrementAndGet();
        }
    }

    /** Starts the workspace if it is not on its way, and polls its status each second until it runs. */
    private URI awaitWorkspace(Client http, String token) {
        long started = System.nanoTime();
        long deadline = started + RUNNING_WAIT.toNanos();
        boolean asked = false;
        while (System.nanoTime() < deadline) {
            JsonNode ws = call(http, "workspace status", "GET", "/v1/workspaces/me", token, null, 200).get("workspace");
            String status = ws.get("status").asText();
            if (status.equals("running")) {
                record("workspace ready (from sign-in)", System.nanoTime() - started);
                return URI.create(ws.get("url").asText().replaceFirst("^http", "ws") + "editor");
            }
            if ((status.equals("stopped") || status.equals("failed")) && !asked) {
                // 409: it is on its way already (a redelivered provisioning request got there first)
                call(http, "workspace start", "POST", "/v1/workspaces/me/start", token, null, 202, 409);
                asked = true;
            }
            if (System.nanoTime() > endAt) {
                return null;
            }
            sleep(Duration.ofSeconds(1));
        }
        error("workspace status", "not running within " + RUNNING_WAIT.toSeconds() + " s");
        return null;
    }

    /**
     * Editor-like traffic: a small frame four times a second and a 100 KB message every 30 s over the workspace's
     * WebSocket, each echo checked; the session every 4 s and the account page every 30 s over HTTP.
     */
    private void editor(Client http, String token, URI url) {
        long now = System.nanoTime();
        long nextSession = now;
        long nextAccount = now + (long) (Math.random() * ACCOUNT_EVERY.toNanos());
        long seq = 0;
        // as the IDE does: a socket that fails is opened again, and the user carries on
        while (System.nanoTime() < endAt) {
            Echoes echoes = new Echoes();
            WebSocket socket;
            long opening = System.nanoTime();
            try {
                socket = http.http().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                        .connectTimeout(Duration.ofSeconds(30)).buildAsync(url, echoes).get(60, TimeUnit.SECONDS);
                record("websocket open", System.nanoTime() - opening);
            } catch (Exception e) {
                error("websocket open", cause(e));
                sleep(Duration.ofSeconds(2));
                continue;
            }
            editing.incrementAndGet();
            long nextBig = System.nanoTime() + (long) (Math.random() * BIG_EVERY.toNanos());
            try {
                while ((now = System.nanoTime()) < endAt) {
                    String text = now >= nextBig ? big(seq) : small(seq);
                    if (now >= nextBig) {
                        nextBig = now + BIG_EVERY.toNanos();
                    }
                    echoes.expect(seq, text, now);
                    socket.sendText(text, true).get(30, TimeUnit.SECONDS);
                    seq++;
                    echoes.checkLate();
                    try {
                        if (now >= nextSession) {
                            nextSession = now + SESSION_CHECK.toNanos();
                            call(http, "session check", "GET", "/v1/auth/session", token, null, 200);
                        }
                        if (now >= nextAccount) {
                            nextAccount = now + ACCOUNT_EVERY.toNanos();
                            call(http, "account page: sessions", "GET", "/v1/auth/sessions", token, null, 200);
                            call(http, "account page: workspace", "GET", "/v1/workspaces/me", token, null, 200);
                        }
                    } catch (Failed e) {
                        // counted; the page shows an error and the user carries on
                    }
                    sleepUntil(now + FRAME_EVERY.toNanos());
                }
                echoes.drain();
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(30, TimeUnit.SECONDS);
            } catch (Failed e) {
                socket.abort();
            } catch (Exception e) {
                error("websocket send", cause(e));
                socket.abort();
            } finally {
                editing.decrementAndGet();
            }
        }
    }

    private static String small(long seq) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + seq + ",\"method\":\"textDocument/didChange\",\"params\":{\"text\":\"x\"}}";
    }

    private static String big(long seq) {
        StringBuilder b = new StringBuilder(BIG_BYTES + 32).append("{\"id\":").append(seq).append(",\"content\":\"");
        while (b.length() < BIG_BYTES) {
            b.append((char) ('a' + (b.length() + seq) % 26));
        }
        return b.append("\"}").toString();
    }

    /** The echoes one socket waits for, each checked against what was sent and timed. */
    private final class Echoes implements WebSocket.Listener {
        private final Map<Long, long[]> sentAt = new ConcurrentHashMap<>();
        private final Map<Long, String> sent = new ConcurrentHashMap<>();
        private final java.util.concurrent.ConcurrentLinkedQueue<Long> order = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final StringBuilder partial = new StringBuilder();

        void expect(long seq, String text, long at) {
            sent.put(seq, text);
            sentAt.put(seq, new long[] {at});
            order.add(seq);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                Long seq = order.poll();
                long now = System.nanoTime();
                if (seq == null || !text.equals(sent.remove(seq))) {
                    error(text.length() > 1000 ? "websocket echo (100 KB)" : "websocket echo", "echo differs from what was sent");
                } else {
                    long[] at = sentAt.remove(seq);
                    record(text.length() > 1000 ? "websocket echo (100 KB)" : "websocket echo", now - at[0]);
                    messages.increment();
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            error("websocket", cause(error));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            if (status != WebSocket.NORMAL_CLOSURE && System.nanoTime() < endAt) {
                error("websocket", "closed " + status + " " + reason);
            }
            return null;
        }

        /** An echo that has not come back within the limit is an error. */
        void checkLate() {
            Long oldest = order.peek();
            if (oldest != null) {
                long[] at = sentAt.get(oldest);
                if (at != null && System.nanoTime() - at[0] > ECHO_WAIT.toNanos()) {
                    error("websocket echo", "no echo within " + ECHO_WAIT.toSeconds() + " s");
                    throw new Failed();
                }
            }
        }

        void drain() {
            long deadline = System.nanoTime() + ECHO_WAIT.toNanos();
            while (!order.isEmpty() && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(50));
            }
            if (!order.isEmpty()) {
                error("websocket echo", order.size() + " echoes missing at the end");
            }
        }
    }

    // ---- HTTP ----

    /** Thrown after an error has been counted, to end the user's flow. */
    private static final class Failed extends RuntimeException {
        Failed() {
            super(null, null, false, false);
        }
    }

    /**
     * Calls the platform. A 429 or 503 with a short Retry-After is waited out and tried again, as the web app does,
     * for up to {@link #PATIENCE}; the latency recorded is the whole wait the user sees, retries included.
     */
    private JsonNode call(Client client, String op, String method, String path, String token, String body,
                          int... expected) {
        long first = System.nanoTime();
        int attempt = 0;
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.header("X-Forwarded-For", client.address());
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<byte[]> res;
            try {
                res = client.http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                error(op, cause(e));
                throw new Failed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failed();
            }
            requests.increment();
            int status = res.statusCode();
            long retryAfter = res.headers().firstValue("Retry-After").map(LoadBenchmark::seconds).orElse(-1L);
            if ((status == 429 || status == 503) && retryAfter >= 0 && retryAfter <= 10
                    && System.nanoTime() - first < PATIENCE.toNanos()) {
                // at least Retry-After, backing off and spread out, as a client that does not want to make it worse
                retries.increment();
                long backoff = Math.max(retryAfter * 1000, Math.min(16_000, 1000L << Math.min(attempt, 4)));
                sleep(Duration.ofMillis(backoff + (long) (Math.random() * backoff / 2)));
                attempt++;
                continue;
            }
            for (int e : expected) {
                if (status == e) {
                    record(op, System.nanoTime() - first);
                    return res.body().length == 0 ? Json.tree("{}".getBytes()) : Json.tree(res.body());
                }
            }
            String detail = new String(res.body(), java.nio.charset.StandardCharsets.UTF_8);
            error(op, status + " " + (detail.length() > 160 ? detail.substring(0, 160) : detail));
            throw new Failed();
        }
    }

    private static long seconds(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- figures ----

    private void record(String op, long nanos) {
        ops.computeIfAbsent(op, k -> new Latencies()).add(nanos);
    }

    private void error(String op, String what) {
        errorCount.increment();
        errors.computeIfAbsent(op + " | " + what.replaceAll("[0-9a-f]{20,}|[a-z2-7]{26}", "…"), k -> new LongAdder())
                .increment();
    }

    /** Latencies in buckets 2 % wide from 1 µs up: percentiles within 2 %, no samples kept. */
    private static final class Latencies {
        private static final double STEP = Math.log(1.02);
        private final AtomicLongArray buckets = new AtomicLongArray(1200);
        private final LongAdder count = new LongAdder();

        void add(long nanos) {
            int i = (int) (Math.log(Math.max(nanos, 1_000) / 1_000.0) / STEP);
            buckets.incrementAndGet(Math.min(i, buckets.length() - 1));
            count.increment();
        }

        double percentileMillis(double p) {
            long total = count.sum();
            long rank = (long) Math.ceil(p * total);
            long seen = 0;
            for (int i = 0; i < buckets.length(); i++) {
                seen += buckets.get(i);
                if (seen >= rank) {
                    return Math.exp((i + 1) * STEP) / 1_000.0;
                }
            }
            return Double.NaN;
        }
    }

    /** CPU time and resident memory of the platform and of the sidecar host it started, read from /proc. */
    private static final class Usage {
        final Process platform;
        long lastSelfTicks;
        long lastPlatformTicks;
        long lastHostTicks;
        long lastAt = System.nanoTime();
        long maxPlatformRss;
        long maxHostRss;

        Usage(Process platform) {
            this.platform = platform;
            lastPlatformTicks = ticks(platform.pid());
            lastSelfTicks = ticks(ProcessHandle.current().pid());
        }

        long hostPid() {
            return platform.descendants()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("coditect-sidecar") && c.endsWith(" host"))
                            .orElse(false))
                    .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        }

        /** "platform CPU %, RSS MB, host CPU %, RSS MB" since the last call. */
        String sample() {
            long now = System.nanoTime();
            double seconds = (now - lastAt) / 1e9;
            long host = hostPid();
            long p = ticks(platform.pid());
            long h = host > 0 ? ticks(host) : 0;
            double pCpu = (p - lastPlatformTicks) / seconds;
            double hCpu = lastHostTicks > 0 && h >= lastHostTicks ? (h - lastHostTicks) / seconds : 0;
            long self = ticks(ProcessHandle.current().pid());
            double sCpu = (self - lastSelfTicks) / seconds;
            lastSelfTicks = self;
            lastPlatformTicks = p;
            lastHostTicks = h;
            lastAt = now;
            long pRss = rssKb(platform.pid());
            long hRss = host > 0 ? rssKb(host) : 0;
            maxPlatformRss = Math.max(maxPlatformRss, pRss);
            maxHostRss = Math.max(maxHostRss, hRss);
            return String.format(Locale.ROOT, "platform %3.0f%% %5.0f MB  host %3.0f%% %5.0f MB  bench %3.0f%%", pCpu,
                    pRss / 1024.0, hCpu, hRss / 1024.0, sCpu);
        }

        /** utime + stime in clock ticks (100 a second on Linux), as percent of a core when divided by seconds. */
        static long ticks(long pid) {
            try {
                return Proc.cpuTicks(pid);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        static long rssKb(long pid) {
            try {
                return Math.max(0, Proc.rssKb(pid));
            } catch (IOException | RuntimeException e) {
                return 0; // gone
            }
        }
    }

    private void report(long start, Usage usage) {
        System.out.printf("%6s %6s %7s %10s %11s %7s %7s  %s%n", "t s", "users", "in IDE", "requests/s",
                "ws echoes/s", "errors", "retries", "CPU (% of a core) and RSS; the bench's own CPU (users, echo)");
        long lastRequests = 0;
        long lastMessages = 0;
        long last = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(REPORT_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            double seconds = (now - last) / 1e9;
            long r = requests.sum();
            long m = messages.sum();
            System.out.printf(Locale.ROOT, "%6.0f %6d %7d %10.0f %11.0f %7d %7d  %s  load %s%n",
                    (now - start) / 1e9, active.get(), editing.get(), (r - lastRequests) / seconds, (m - lastMessages) / seconds, errorCount.sum(),
                    retries.sum(), usage.sample(), loadAverage());
            lastRequests = r;
            lastMessages = m;
            last = now;
        }
    }

    private void summary(Usage usage) {
        System.out.printf("%n%-34s %9s %9s %9s %9s %7s%n", "operation", "count", "p50 ms", "p95 ms", "p99 ms", "errors");
        Map<String, Long> errorsByOp = new TreeMap<>();
        errors.forEach((k, v) -> errorsByOp.merge(k.substring(0, k.indexOf(" | ")), v.sum(), Long::sum));
        TreeMap<String, Latencies> sorted = new TreeMap<>(ops);
        errorsByOp.keySet().forEach(op -> sorted.putIfAbsent(op, new Latencies()));
        sorted.forEach((op, l) -> System.out.printf(Locale.ROOT, "%-34s %9d %9.1f %9.1f %9.1f %7d%n", op,
                l.count.sum(), l.percentileMillis(0.50), l.percentileMillis(0.95), l.percentileMillis(0.99),
                errorsByOp.getOrDefault(op, 0L)));
        System.out.printf(Locale.ROOT, "errors %d, retries after 429/503 %d; peak RSS: platform %.0f MB, sidecar host %.0f MB%n",
                errorCount.sum(), retries.sum(), usage.maxPlatformRss / 1024.0, usage.maxHostRss / 1024.0);
        errors.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum())).limit(15)
                .forEach(e -> System.out.printf("  %6d × %s%n", e.getValue().sum(), e.getKey()));
    }

    // ---- the platform and the echo server ----

    private static Process startPlatform(Path work, int port, int echoPort) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--sun-misc-unsafe") || a.startsWith("--enable-native-access"))
                .forEach(command::add);
        String platformJvm = System.getenv().getOrDefault("BENCH_PLATFORM_JVM_OPTS", "");
        for (String option : platformJvm.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.add("-Dcoditect.invoker.jar=functions/target/invoker/java-function-invoker.jar");
        command.add("-cp");
        command.add("functions/target/coditect-functions.jar:functions/target/lib/*");
        command.add("ai.coditect.functions.local.LocalPlatform");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("platform.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("PORT", Integer.toString(port));
        env.put("CODITECT_DATA_DIR", work.resolve("data").toString());
        env.put("THEIA_URL", "http://127.0.0.1:" + echoPort);
        env.put("CODI2_URL", "ws://127.0.0.1:" + echoPort + "/codi2");
        env.put("CODITECT_SIDECAR_JAR", Path.of("sidecar/target/coditect-sidecar.jar").toAbsolutePath().toString());
        env.putIfAbsent("CODITECT_LOG_LEVEL", "WARNING");
        return pb.start();
    }

    private void awaitHealthy(Process platform) throws Exception {
        HttpClient http = clients.getFirst();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!platform.isAlive()) {
                throw new IllegalStateException("the platform stopped as it started (exit " + platform.exitValue() + ")");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the platform did not answer /healthz within 180 s");
    }

    /** Theia's stand-in: echoes every WebSocket message, answers every HTTP request. */
    private static final class Echo implements WsListener {
        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            session.send(text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            session.send(buffer, last);
        }
    }

    private static String loadAverage() {
        try {
            return Proc.loadAverage();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c != c.getCause()) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed();
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            sleep(Duration.ofNanos(left));
        }
    }
}
