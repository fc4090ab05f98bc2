package ai.coditect.sidecar.testing;

import ai.coditect.shared.json.Json;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for Theia or CODI2 behind the sidecar, a real Helidon server on a free port: a WebSocket echo (each
 * frame echoed with its {@code last} flag, pings answered, a few commands in text messages) and HTTP endpoints
 * with large, streamed and chunked bodies. It counts every connection it gets, so tests can show that a refused
 * request never reached it.
 */
public final class EchoBackend implements AutoCloseable {
    public final String name;
    public final AtomicInteger upgrades = new AtomicInteger();
    public final AtomicInteger httpRequests = new AtomicInteger();
    public final List<String> closesReceived = new CopyOnWriteArrayList<>();
    public final List<Map<String, String>> upgradeHeaders = new CopyOnWriteArrayList<>();
    /** Bytes the backend managed to hand to the socket while flooding a client. */
    public final AtomicLong flooded = new AtomicLong();
    /** The thread flooding a client while it is inside a send, else null. */
    private final java.util.concurrent.atomic.AtomicReference<Thread> floodSending =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Counts down when a request reaches {@code /slow}, so a test knows it is in flight. */
    public final java.util.concurrent.CountDownLatch slowStarted = new java.util.concurrent.CountDownLatch(1);
    private final WebServer server;

    private EchoBackend(String name, int port) {
        this.name = name;
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .addProtocol(WsConfig.builder().maxFrameLength(32 * 1024 * 1024).build())
                .routing(r -> r
                        .get("/echo-headers", this::echoHeaders)
                        .post("/upload", this::upload)
                        .put("/upload", this::upload)
                        .get("/download", this::download)
                        .get("/status/{code}", this::status)
                        .get("/slow", this::slow)
                        .get("/csp", this::csp)
                        .any(this::anything))
                .addRouting(WsRouting.builder().endpoint("/*", Echo::new))
                .build().start();
    }

    /** Whether the flooding thread is parked inside a send: its socket takes no more for now. */
    public boolean floodBlocked() {
        Thread t = floodSending.get();
        return t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    public static EchoBackend start(String name) {
        return new EchoBackend(name, 0);
    }

    /** Starts again on the same port, as a restarted backend would. */
    public static EchoBackend startOn(String name, int port) {
        return new EchoBackend(name, port);
    }

    public int port() {
        return server.port();
    }

    public URI httpUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public URI wsUrl() {
        return URI.create("ws://127.0.0.1:" + port());
    }

    private void count(ServerResponse res) {
        httpRequests.incrementAndGet();
        res.header(HeaderNames.SET_COOKIE, "theia-connection-token=t0k3n; HttpOnly; SameSite=Strict");
    }

    private void echoHeaders(ServerRequest req, ServerResponse res) {
        count(res);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Header h : req.headers()) {
            out.put(h.name().toLowerCase(), h.allValues().size() == 1 ? h.allValues().getFirst() : h.allValues());
        }
        out.put(":path", req.path().rawPath());
        out.put(":query", req.query().rawValue());
        out.put(":method", req.prologue().method().text());
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(out));
    }

    private void upload(ServerRequest req, ServerResponse res) throws Exception {
        count(res);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = req.content().inputStream()) {
            byte[] buf = new byte[65536];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
                total += n;
            }
        }
        res.status(Status.CREATED_201);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(Map.of("bytes", total, "sha256", HexFormat.of().formatHex(sha.digest()),
                "transferEncoding", req.headers().first(HeaderNames.TRANSFER_ENCODING).orElse(""))));
    }

    /** {@code ?bytes=N}: N deterministic bytes, streamed in chunks (no Content-Length). */
    private void download(ServerRequest req, ServerResponse res) throws Exception {
        count(res);
        long bytes = Long.parseLong(req.query().get("bytes"));
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        try (OutputStream out = res.outputStream()) {
            byte[] chunk = new byte[8192];
            for (long sent = 0; sent < bytes; ) {
                int n = (int) Math.min(chunk.length, bytes - sent);
                for (int i = 0; i < n; i++) {
                    chunk[i] = (byte) ((sent + i) * 31);
                }
                out.write(chunk, 0, n);
                sent += n;
            }
        }
    }

    private void status(ServerRequest req, ServerResponse res) {
        count(res);
        int code = Integer.parseInt(req.path().pathParameters().get("code"));
        res.status(Status.create(code));
        if (code == 204 || code == 304) {
            res.send();
        } else {
            res.send(("status " + code).getBytes());
        }
    }

    private void slow(ServerRequest req, ServerResponse res) throws Exception {
        count(res);
        slowStarted.countDown();
        Thread.sleep(2_000); // the backend being slow is the point; no test waits on this
        res.send("slow answer".getBytes());
    }

    private void csp(ServerRequest req, ServerResponse res) {
        count(res);
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'self'");
        res.send("with a policy".getBytes());
    }

    private void anything(ServerRequest req, ServerResponse res) throws Exception {
        count(res);
        byte[] body = req.content().hasEntity() ? req.content().inputStream().readAllBytes() : new byte[0];
        res.header(HeaderNames.CONTENT_TYPE, "text/plain");
        res.header(HeaderNames.create("X-Backend"), name);
        res.send((name + " " + req.prologue().method().text() + " " + req.path().rawPath() + " "
                + body.length).getBytes());
    }

    @Override
    public void close() {
        server.stop();
    }

    /** One echoed connection. */
    private final class Echo implements WsListener {
        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            upgrades.incrementAndGet();
            Map<String, String> seen = new LinkedHashMap<>();
            for (Header h : headers) {
                seen.put(h.name().toLowerCase(), h.values());
            }
            seen.put(":path", prologue.uriPath().rawPath());
            seen.put(":query", prologue.query().rawValue());
            upgradeHeaders.add(seen);
            Optional<String> offered = headers.first(HeaderNames.create("Sec-WebSocket-Protocol"));
            if (offered.isPresent() && List.of(offered.get().split(",\\s*")).contains("theia.v1")) {
                WritableHeaders<?> chosen = WritableHeaders.create();
                chosen.set(HeaderValues.create(HeaderNames.create("Sec-WebSocket-Protocol"), "theia.v1"));
                return Optional.of(chosen);
            }
            return Optional.empty();
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            if (text.startsWith("close:")) {
                String[] parts = text.split(":", 3);
                session.close(Integer.parseInt(parts[1]), parts[2]);
                return;
            }
            if (text.startsWith("flood:")) {
                byte[] chunk = new byte[64 * 1024];
                long megabytes = Long.parseLong(text.substring(6));
                for (long i = 0; i < megabytes * 16; i++) {
                    floodSending.set(Thread.currentThread());
                    session.send(BufferData.create(chunk), true);
                    floodSending.set(null);
                    flooded.addAndGet(chunk.length);
                }
                return;
            }
            if (text.equals("who")) {
                session.send(name, true);
                return;
            }
            session.send(text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            session.send(BufferData.create(bytes), last);
        }

        @Override
        public void onPing(WsSession session, BufferData buffer) {
            session.pong(buffer);
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            closesReceived.add(status + ":" + reason);
        }
    }
}
