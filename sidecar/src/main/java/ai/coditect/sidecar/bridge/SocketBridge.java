package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.auth.Credentials;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One bridged WebSocket: the browser's connection (Helidon) and the backend's (JDK client). Frames go across in
 * order, one at a time, with their {@code last} flag, so fragmented messages stay whole; each send waits for the
 * previous one, which bounds what the sidecar holds to one frame per direction. Pings and pongs cross too; close
 * codes and reasons are relayed both ways, and a backend that fails makes the browser see 1011.
 */
public final class SocketBridge implements WsListener {
    private static final Logger LOG = Logger.getLogger(SocketBridge.class.getName());
    /** Payload of the sidecar's own keep-alive pings, whose pongs are not relayed. */
    static final byte[] KEEPALIVE = "coditect-keepalive".getBytes(StandardCharsets.US_ASCII);

    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Upstream upstream;
    private Credentials credentials;
    private volatile WsSession session;

    SocketBridge(OpenSockets sockets, ActivityReporter activity, SidecarMetrics metrics) {
        this.sockets = sockets;
        this.activity = activity;
        this.metrics = metrics;
    }

    Credentials credentials() {
        return credentials;
    }

    Backend backend() {
        return upstream.backend();
    }

    // ---- the browser side (Helidon calls these on the connection's thread) ----

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        PendingUpgrade pending = PendingUpgrade.take();
        if (pending == null) {
            throw new WsUpgradeException("no authenticated backend connection for this upgrade");
        }
        this.upstream = pending.upstream();
        this.credentials = pending.credentials();
        String subprotocol = upstream.socket().getSubprotocol();
        if (subprotocol == null || subprotocol.isEmpty()) {
            return Optional.empty();
        }
        WritableHeaders<?> chosen = WritableHeaders.create();
        chosen.set(HeaderValues.create(HeaderNames.create("Sec-WebSocket-Protocol"), subprotocol));
        return Optional.of(chosen);
    }

    @Override
    public void onOpen(WsSession session) {
        this.session = session;
        sockets.add(this);
        metrics.opened(backend().label());
        upstream.attach(this);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        long start = System.nanoTime();
        activity.touch();
        if (send(upstream.socket().sendText(text, last))) {
            metrics.relayed(SidecarMetrics.TO_BACKEND, text.length(), System.nanoTime() - start);
        }
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        long start = System.nanoTime();
        activity.touch();
        byte[] bytes = new byte[buffer.available()];
        buffer.read(bytes);
        if (send(upstream.socket().sendBinary(ByteBuffer.wrap(bytes), last))) {
            metrics.relayed(SidecarMetrics.TO_BACKEND, bytes.length, System.nanoTime() - start);
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        activity.touch();
        byte[] bytes = new byte[buffer.available()];
        buffer.read(bytes);
        send(upstream.socket().sendPing(ByteBuffer.wrap(bytes)));
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        byte[] bytes = new byte[buffer.available()];
        buffer.read(bytes);
        if (!Arrays.equals(bytes, KEEPALIVE)) {
            send(upstream.socket().sendPong(ByteBuffer.wrap(bytes)));
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (closed.compareAndSet(false, true)) {
            finish();
            closeBackend(status, reason);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.FINE, "browser connection failed", t);
        if (closed.compareAndSet(false, true)) {
            finish();
            closeBackend(WebSocket.NORMAL_CLOSURE, "browser connection failed");
        }
    }

    /** Waits for a send to the backend; a failed backend ends the bridge. Returns true when sent. */
    private boolean send(CompletableFuture<WebSocket> sending) {
        try {
            sending.get(60, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backendFailed(e);
        } catch (Exception e) {
            backendFailed(e);
        }
        return false;
    }

    // ---- the backend side (the JDK client calls these, one at a time) ----

    void toClient(String text, boolean last) {
        long start = System.nanoTime();
        WsSession s = session;
        try {
            s.send(text, last);
            metrics.relayed(SidecarMetrics.TO_CLIENT, text.length(), System.nanoTime() - start);
        } catch (RuntimeException e) {
            clientGone(e);
        }
    }

    void toClient(byte[] bytes, boolean last) {
        long start = System.nanoTime();
        WsSession s = session;
        try {
            s.send(BufferData.create(bytes), last);
            metrics.relayed(SidecarMetrics.TO_CLIENT, bytes.length, System.nanoTime() - start);
        } catch (RuntimeException e) {
            clientGone(e);
        }
    }

    void pingClient(byte[] bytes) {
        try {
            session.ping(BufferData.create(bytes));
        } catch (RuntimeException e) {
            clientGone(e);
        }
    }

    void pongClient(byte[] bytes) {
        try {
            session.pong(BufferData.create(bytes));
        } catch (RuntimeException e) {
            clientGone(e);
        }
    }

    /** The sidecar's own keep-alive, so proxies in front of it do not time an idle connection out. */
    void keepAlive() {
        pingClient(KEEPALIVE);
    }

    void backendClosed(int status, String reason) {
        if (closed.compareAndSet(false, true)) {
            finish();
            closeClient(isRelayable(status) ? status : WsCloseCodes.UNEXPECTED_CONDITION, reason);
            closeBackend(WebSocket.NORMAL_CLOSURE, "");
        }
    }

    void backendFailed(Throwable error) {
        metrics.backendError(backend().label());
        if (closed.compareAndSet(false, true)) {
            LOG.log(Level.FINE, "backend connection failed", error);
            finish();
            closeClient(WsCloseCodes.UNEXPECTED_CONDITION, "backend connection lost");
            upstream.socket().abort();
        }
    }

    /** Ends the bridge from the sidecar's side: revocation (1008), shutdown (1001), limits. */
    void end(int status, String reason) {
        if (closed.compareAndSet(false, true)) {
            finish();
            closeClient(status, reason);
            closeBackend(WebSocket.NORMAL_CLOSURE, reason);
        }
    }

    private void clientGone(RuntimeException e) {
        LOG.log(Level.FINE, "browser went away", e);
        if (closed.compareAndSet(false, true)) {
            finish();
            closeBackend(WebSocket.NORMAL_CLOSURE, "browser went away");
        }
    }

    private void finish() {
        if (sockets.remove(this)) {
            metrics.closed(backend().label());
        }
    }

    private void closeClient(int status, String reason) {
        try {
            session.close(status, shorten(reason));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "browser already gone", e);
        }
    }

    private void closeBackend(int status, String reason) {
        WebSocket ws = upstream.socket();
        String why = shorten(reason);
        CompletableFuture<WebSocket> closing;
        try {
            closing = ws.sendClose(isRelayable(status) ? status : WebSocket.NORMAL_CLOSURE, why);
        } catch (IllegalArgumentException e) {
            closing = ws.sendClose(WebSocket.NORMAL_CLOSURE, why); // a code the JDK client may not send
        }
        closing.orTimeout(5, TimeUnit.SECONDS).whenComplete((w, t) -> {
            if (t != null) {
                ws.abort();
            }
        });
    }

    /** A close reason fits in 123 bytes of UTF-8. */
    private static String shorten(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** Close codes an endpoint may send (RFC 6455 §7.4): 1005, 1006 and 1015 only ever describe a closure. */
    static boolean isRelayable(int status) {
        return (status >= 1000 && status <= 1014 && status != 1004 && status != 1005 && status != 1006)
                || (status >= 3000 && status <= 4999);
    }
}
