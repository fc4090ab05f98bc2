package ai.coditect.bench;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.tokens.SigningKeys;
import ai.coditect.shared.tokens.TokenIssuer;
import com.sun.net.httpserver.HttpServer;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * WebSocket round trips through the sidecar, through nginx and directly to the same echo backend, in one run, so
 * the figures compare: N concurrent sockets (100 and 1,000), each sending a 64-byte message as soon as the echo
 * of the previous one arrives. The sidecar runs as its packaged jar in its own JVM with the image's JVM options
 * ({@code sidecar/src/main/jvm/sidecar.jvm.options}), nginx (Debian's nginx-light) as its own process with one
 * worker per core, the echo backend and the load generator in this JVM, all with the same client. Both proxies
 * are warmed up first (the sidecar's relay is compiled before it is measured); then each round measures every
 * path at each N, nginx and the sidecar in alternating order, and the summary gives the median of the rounds'
 * sidecar ÷ nginx ratios, with the load average at each figure. Usage:
 * {@code ./coditect bench sidecar [seconds per figure, default 10] [rounds, default 3]}.
 */
public final class SidecarBenchmark {
    private SidecarBenchmark() {
    }

    /**
     * One figure: messages per second, round-trip percentiles, and the CPU time the proxy's processes used per
     * message while it was measured (NaN for the direct path), which a busy machine disturbs far less than rates.
     */
    private record Figure(double perSecond, double p50, double p99, double cpuMicrosPerMessage, String threads) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("coditect-bench-sidecar");
        WebServer echo = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint("/*", Echo::new)).build().start();

        SigningKeys keys = SigningKeys.generate();
        String owner = Ids.newId();
        String tenant = Ids.newId();
        String session = Ids.newId();
        String token = new TokenIssuer(keys, "https://bench", "coditect", Clock.systemUTC())
                .issue(owner, tenant, session, Instant.now().plus(Duration.ofHours(2)));
        HttpServer platform = platform(keys, owner, tenant, session);

        int sidecarPort = freePort();
        Process sidecar = sidecar(work, sidecarPort, echo.port(), platform.getAddress().getPort(), owner, tenant);
        int nginxPort = freePort();
        Process nginx = nginx(work, nginxPort, echo.port());
        try {
            awaitPort(sidecarPort);
            awaitPort(nginxPort);
            URI direct = URI.create("ws://127.0.0.1:" + echo.port() + "/echo");
            URI viaNginx = URI.create("ws://127.0.0.1:" + nginxPort + "/echo");
            URI viaSidecar = URI.create("ws://127.0.0.1:" + sidecarPort + "/echo");
            System.out.printf("WebSocket echo round trips, 64-byte messages, %d cores, %.0f s per figure, %d rounds%n",
                    Runtime.getRuntime().availableProcessors(), seconds, rounds);
            System.out.println("sidecar JVM: " + String.join(" ", sidecarJvmOptions()));
            System.out.printf("warming up (unmeasured): nginx and sidecar, N=1000, %.0f s each, load %s%n", seconds,
                    Proc.loadAverage());
            row(1_000, viaNginx, null, seconds, nginx);
            row(1_000, viaSidecar, token, seconds, sidecar);
            System.out.printf("%-6s %-8s %6s %12s %10s %10s %12s  %s%n", "round", "path", "N", "messages/s",
                    "p50 ms", "p99 ms", "CPU µs/msg", "load (1, 5, 15 min)");
            int[] sizes = {100, 1_000};
            double[][] rate = new double[sizes.length][rounds];
            double[][] p99 = new double[sizes.length][rounds];
            double[][] cpu = new double[sizes.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < sizes.length; i++) {
                    int n = sizes[i];
                    print(r, "direct", n, row(n, direct, null, seconds, null));
                    Figure viaN;
                    Figure viaS;
                    if (r % 2 == 0) {
                        viaN = print(r, "nginx", n, row(n, viaNginx, null, seconds, nginx));
                        viaS = print(r, "sidecar", n, row(n, viaSidecar, token, seconds, sidecar));
                    } else {
                        viaS = print(r, "sidecar", n, row(n, viaSidecar, token, seconds, sidecar));
                        viaN = print(r, "nginx", n, row(n, viaNginx, null, seconds, nginx));
                    }
                    cpu[i][r] = viaS.cpuMicrosPerMessage() / viaN.cpuMicrosPerMessage();
                    rate[i][r] = viaS.perSecond() / viaN.perSecond();
                    p99[i][r] = viaS.p99() / viaN.p99();
                }
            }
            System.out.println("sidecar ÷ nginx, each round's ratio and their median:");
            for (int i = 0; i < sizes.length; i++) {
                System.out.printf("N=%-5d messages/s %s median %.2f×   p99 %s median %.2f×   CPU per message %s "
                                + "median %.2f×%n", sizes[i], ratios(rate[i]), median(rate[i]), ratios(p99[i]),
                        median(p99[i]), ratios(cpu[i]), median(cpu[i]));
            }
        } finally {
            sidecar.destroy();
            nginx.destroy();
            sidecar.waitFor(15, TimeUnit.SECONDS);
            nginx.waitFor(15, TimeUnit.SECONDS);
            platform.stop(0);
            echo.stop();
        }
        System.exit(0);
    }

    private static Figure print(int round, String path, int n, Figure f) throws IOException {
        System.out.printf("%-6d %-8s %6d %12.0f %10.2f %10.2f %12.1f  %s%n", round + 1, path, n, f.perSecond(),
                f.p50(), f.p99(), f.cpuMicrosPerMessage(), Proc.loadAverage());
        if (!f.threads().isEmpty()) {
            System.out.println(f.threads());
        }
        return f;
    }

    private static String ratios(double[] values) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(String.format("%.2f ", v));
        }
        return out.toString().trim();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** The kernel's clock ticks per second, in which /proc reports CPU time (100 on Linux for x86). */
    private static final double TICKS_PER_SECOND = 100;

    /** User and system CPU time of a process and its children (nginx's workers), in clock ticks. */
    private static long cpuTicks(Process process) throws IOException {
        long ticks = 0;
        for (ProcessHandle h : withChildren(process)) {
            try {
                ticks += Proc.cpuTicks(h.pid());
            } catch (java.nio.file.NoSuchFileException e) {
                // the process ended in between
            }
        }
        return ticks;
    }

    /**
     * CPU time of the proxy's threads (and its children's), in clock ticks, by thread name without its number: where
     * a proxy's CPU per message goes (relay loops, virtual-thread carriers, compilers, GC). Threads that end between
     * two readings drop out.
     */
    private static Map<String, Long> cpuTicksByThread(Process process) throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        for (ProcessHandle h : withChildren(process)) {
            try (var tasks = Files.list(Path.of("/proc/" + h.pid() + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                                .replaceAll("[-# ]*[0-9]+$", "");
                        ticks.merge(name, Proc.cpuTicks(stat), Long::sum);
                    } catch (java.nio.file.NoSuchFileException e) {
                        // the thread ended in between
                    }
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // the process ended in between
            }
        }
        return ticks;
    }

    /** The process and its descendants; none for no process (the direct path). */
    private static List<ProcessHandle> withChildren(Process process) {
        List<ProcessHandle> all = new ArrayList<>();
        if (process != null) {
            all.add(process.toHandle());
            process.toHandle().descendants().forEach(all::add);
        }
        return all;
    }


    private static Figure row(int n, URI uri, String token, double seconds, Process proxy) throws Exception {
        java.util.concurrent.ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-client");
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder().executor(executor).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean measuring = new AtomicBoolean(false);
        LongAdder count = new LongAdder();
        List<long[]> samples = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        List<Loop> loops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Loop loop = new Loop(running, measuring, count);
            WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            sockets.add(b.buildAsync(uri, loop).get(60, TimeUnit.SECONDS));
            loops.add(loop);
        }
        for (int i = 0; i < n; i++) {
            loops.get(i).start(sockets.get(i));
        }
        Thread.sleep((long) (seconds * 200)); // warm-up
        long before = count.sum();
        long cpuBefore = cpuTicks(proxy);
        Map<String, Long> threadsBefore = cpuTicksByThread(proxy);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long messages = count.sum() - before;
        double cpuMicros = proxy == null ? Double.NaN : (cpuTicks(proxy) - cpuBefore) * 1e6 / TICKS_PER_SECOND;
        Map<String, Long> threadsAfter = cpuTicksByThread(proxy);
        running.set(false);
        StringBuilder by = new StringBuilder();
        if (proxy != null) {
            by.append("       CPU µs/msg by thread:");
            threadsAfter.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(6)
                    .forEach(e -> by.append(String.format(" %s %.1f,", e.getKey(),
                            e.getValue() * 1e6 / TICKS_PER_SECOND / Math.max(1, messages))));
            by.setLength(by.length() - 1);
        }
        for (Loop l : loops) {
            samples.add(l.samples());
        }
        for (WebSocket ws : sockets) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        }
        long[] all = samples.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        double p50 = all.length == 0 ? Double.NaN : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? Double.NaN : all[(int) (all.length * 0.99)] / 1e6;
        Thread.sleep(1_000);
        client.shutdownNow();
        executor.shutdownNow();
        return new Figure(messages / elapsed, p50, p99, cpuMicros / messages, by.toString());
    }

    /** One socket's ping-pong loop: send, wait for the echo, record the round trip, send again. */
    private static final class Loop implements WebSocket.Listener {
        private final AtomicBoolean running;
        private final AtomicBoolean measuring;
        private final LongAdder count;
        private long[] samples = new long[1024];
        private int size;
        private long sentAt;
        private final StringBuilder partial = new StringBuilder();

        Loop(AtomicBoolean running, AtomicBoolean measuring, LongAdder count) {
            this.running = running;
            this.measuring = measuring;
            this.count = count;
        }

        void start(WebSocket ws) {
            send(ws);
        }

        private synchronized void send(WebSocket ws) {
            sentAt = System.nanoTime();
            ws.sendText("x".repeat(64), true);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public synchronized CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            ws.request(1);
            if (!last) {
                return null;
            }
            partial.setLength(0);
            long rtt = System.nanoTime() - sentAt;
            if (measuring.get()) {
                count.increment();
                if (size == samples.length) {
                    samples = Arrays.copyOf(samples, size * 2);
                }
                samples[size++] = rtt;
            }
            if (running.get()) {
                send(ws);
            }
            return null;
        }

        synchronized long[] samples() {
            return Arrays.copyOf(samples, size);
        }
    }

    /** The echo backend. */
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

    /** JWKS and a session endpoint that confirms the one session, for the sidecar's authentication. */
    static HttpServer platform(SigningKeys keys, String owner, String tenant, String session)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", ex -> {
            byte[] body = keys.publicKeys().toString().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/session", ex -> {
            byte[] body = ("{\"session\":{\"id\":\"" + session + "\",\"userId\":\"" + owner
                    + "\",\"tenantId\":\"" + tenant + "\"}}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/activity", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        return server;
    }

    private static Process sidecar(Path work, int port, int echoPort, int platformPort, String owner, String tenant)
            throws IOException {
        Path jar = Path.of("sidecar/target/coditect-sidecar.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(sidecarJvmOptions());
        // e.g. BENCH_SIDECAR_JVM_OPTS=-XX:StartFlightRecording=filename=sidecar.jfr to profile the sidecar
        String extra = System.getenv().getOrDefault("BENCH_SIDECAR_JVM_OPTS", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        var env = pb.environment();
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(port));
        env.put("MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("THEIA_URL", "http://127.0.0.1:" + echoPort);
        env.put("CODI2_URL", "ws://127.0.0.1:" + echoPort);
        env.put("CODITECT_OWNER_USER_ID", owner);
        env.put("CODITECT_OWNER_TENANT_ID", tenant);
        env.put("CODITECT_ISSUER", "https://bench");
        env.put("CODITECT_JWKS_URL", "http://127.0.0.1:" + platformPort + "/jwks");
        env.put("CODITECT_SESSION_URL", "http://127.0.0.1:" + platformPort + "/session");
        env.put("CODITECT_ACTIVITY_URL", "http://127.0.0.1:" + platformPort + "/activity");
        env.put("CODITECT_AGENT_TOKEN", "bench");
        env.put("CODITECT_MAX_CONNECTIONS", "5000");
        env.put("CODITECT_LOG_LEVEL", "WARNING");
        return pb.redirectErrorStream(true).redirectOutput(work.resolve("sidecar.log").toFile()).start();
    }

    private static Process nginx(Path work, int port, int echoPort) throws IOException {
        Path conf = work.resolve("nginx.conf");
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(conf, """
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 8192; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                  server {
                    listen 127.0.0.1:%2$d;
                    location / {
                      proxy_pass http://127.0.0.1:%3$d;
                      proxy_http_version 1.1;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection $connection_upgrade;
                      proxy_set_header Host $host;
                      proxy_read_timeout 3600s;
                    }
                  }
                }
                """.formatted(work, port, echoPort));
        String nginx = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        return new ProcessBuilder(nginx, "-p", work.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
    }

    /** The JVM options of the sidecar's image and of the local platform's sidecars, from the file they share. */
    static List<String> sidecarJvmOptions() throws IOException {
        Path options = Path.of("sidecar/src/main/jvm/sidecar.jvm.options");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(options)) {
            String l = line.replaceFirst("#.*", "").trim();
            if (!l.isEmpty() && !l.startsWith("#")) {
                out.addAll(List.of(l.split("\\s+")));
            }
        }
        return out;
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nothing listens on port " + port);
    }

    static int freePort() {
        return ai.coditect.shared.net.FreePorts.any();
    }
}
