package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.auth.Credentials;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One bridged WebSocket after its upgrade: the browser's connection (taken over from Helidon) and the backend's
 * (a plain socket), with frames copied between them as they are by two {@link FramePump}s. Both sockets are
 * relayed by a {@link RelayLoop}, non-blocking, while the connection's thread waits for the bridge to end; where a
 * socket has no channel to select on (a {@code wss:} backend), the connection's thread carries browser to backend
 * and a virtual thread backend to browser, with blocking writes. Either way the sidecar holds at most one read
 * per direction and a slow browser slows the backend down. The sidecar adds its own keep-alive pings (whose pongs it keeps to itself) and, when a session
 * ends or the workspace stops, a close frame between two frames; a backend that fails makes the browser see 1011.
 */
public final class SocketBridge implements ServerConnection {
    private static final Logger LOG = Logger.getLogger(SocketBridge.class.getName());
    /** Payload of the sidecar's own keep-alive pings, whose pongs are not relayed. */
    static final byte[] KEEPALIVE = "coditect-keepalive".getBytes(StandardCharsets.US_ASCII);
    /** How long a closing handshake may take before both connections are simply dropped. */
    private static final long CLOSE_GRACE_SECONDS = 5;
    /** What one read takes at most when a thread relays: two of these per socket. */
    private static final int READ_SIZE = RelayLoop.READ_SIZE;
    static final int NORMAL_CLOSURE = 1000;
    static final int GOING_AWAY = 1001;
    static final int POLICY_VIOLATION = 1008;
    static final int UNEXPECTED_CONDITION = 1011;

    private final Upstream upstream;
    private final Credentials credentials;
    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final DataReader clientIn;
    private final DataWriter clientOut;
    private final FramePump toBackend;
    private final FramePump toClient;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean torn = new AtomicBoolean();
    /** The loop that relays both sockets, or null when two threads do. */
    private final RelayLoop loop;
    private final ChannelEnd clientEnd;
    private final ChannelEnd backendEnd;
    /** Counted down when the bridge is torn down: the connection's thread waits for it. */
    private final CountDownLatch done = new CountDownLatch(1);
    /** The browser broke the protocol and was sent a close: what it sends until it hangs up is dropped. */
    private volatile boolean discarding;
    private volatile Thread clientThread;
    private volatile long lastFrame = System.nanoTime();
    /** The sidecar itself closed (revocation, shutdown, a fault): the peers' answers are not relayed. */
    private volatile boolean ending;

    SocketBridge(ConnectionContext ctx, Upstream upstream, Credentials credentials, OpenSockets sockets,
                 ActivityReporter activity, SidecarMetrics metrics, long maxFrameBytes) {
        this.upstream = upstream;
        this.credentials = credentials;
        this.sockets = sockets;
        this.activity = activity;
        this.metrics = metrics;
        this.clientIn = ctx.dataReader();
        this.clientOut = ctx.dataWriter();
        SocketChannel clientChannel = ClientChannels.of(ctx);
        SocketChannel backendChannel = upstream.channel();
        if (clientChannel != null && backendChannel != null) {
            this.loop = RelayLoop.next();
            this.clientEnd = new ChannelEnd(clientChannel, loop);
            this.backendEnd = new ChannelEnd(backendChannel, loop);
            ChannelEnd.pair(clientEnd, backendEnd);
            this.toBackend = new FramePump(true, maxFrameBytes, backendEnd, new FromClient());
            this.toClient = new FramePump(false, maxFrameBytes, this::writeToClientEnd, new FromBackend());
        } else {
            this.loop = null;
            this.clientEnd = null;
            this.backendEnd = null;
            this.toBackend = new FramePump(true, maxFrameBytes, upstream::write, new FromClient());
            this.toClient = new FramePump(false, maxFrameBytes, this::writeToClient, new FromBackend());
        }
        sockets.add(this);
        metrics.opened(backend().label());
    }

    /** The handshake's answer is out: the sidecar's own frames may follow it. */
    void started() {
        try {
            toBackend.start();
            toClient.start();
        } catch (IOException e) {
            clientGone(e);
        }
    }

    Credentials credentials() {
        return credentials;
    }

    /** Whether a relay loop carries this bridge (else two threads do). */
    boolean onRelayLoop() {
        return loop != null;
    }

    /** Whether the browser has not taken all it was sent and the backend is not read meanwhile. */
    boolean backendHeldBack() {
        return clientEnd != null && clientEnd.holding() && backendEnd.notRead();
    }

    Backend backend() {
        return upstream.backend();
    }

    @Override
    public void handle(Limit limit) {
        clientThread = Thread.currentThread();
        if (loop != null) {
            loop.execute(() -> {
                try {
                    register();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "WebSocket relay failed to start", e);
                    backendFailed(e);
                }
            });
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                tearDown();
            }
            return;
        }
        Thread.ofVirtual().name("sidecar-relay-" + backend().label()).start(this::backendToClient);
        try {
            clientToBackend();
        } finally {
            tearDown();
        }
    }

    @Override
    public Duration idleTime() {
        return Duration.ofNanos(System.nanoTime() - lastFrame);
    }

    @Override
    public void close(boolean interrupt) {
        tearDown();
    }

    // ---- the two directions ----

    private void clientToBackend() {
        byte[] buf = new byte[READ_SIZE];
        while (!torn.get()) {
            int n;
            try {
                clientIn.ensureAvailable();
                n = Math.min(clientIn.available(), buf.length);
                clientIn.readBuffer(n).read(buf, 0, n);
            } catch (RuntimeException e) {
                clientGone(e);
                return;
            }
            if (!passToBackend(buf, n)) {
                if (discarding) {
                    discardUntilClosed(buf);
                }
                return;
            }
        }
    }

    /** Relays what one read from the browser brought; false when this direction is over. */
    private boolean passToBackend(byte[] buf, int n) {
        lastFrame = System.nanoTime();
        long start = lastFrame;
        try {
            toBackend.relay(buf, 0, n);
        } catch (FramePump.ProtocolViolation e) {
            LOG.log(Level.FINE, "browser broke the WebSocket protocol: " + e.getMessage());
            metrics.error("websocket_protocol");
            discarding = true;
            end(e.code(), e.getMessage());
            return false;
        } catch (IOException e) {
            backendFailed(e);
            return false;
        }
        metrics.relayTime(SidecarMetrics.TO_BACKEND, System.nanoTime() - start);
        return true;
    }

    /**
     * After the sidecar sent its close, the browser's bytes are read and dropped until it hangs up or the grace
     * ends: a socket closed with unread input is reset, and a reset can destroy the close frame on its way.
     */
    private void discardUntilClosed(byte[] buf) {
        while (!torn.get()) {
            try {
                clientIn.ensureAvailable();
                int n = Math.min(clientIn.available(), buf.length);
                clientIn.readBuffer(n).read(buf, 0, n);
            } catch (RuntimeException e) {
                clientGone(e);
                return;
            }
        }
    }

    private void backendToClient() {
        byte[] buf = new byte[READ_SIZE];
        try {
            byte[] early = upstream.early();
            if (early.length > 0 && !passToClient(early, early.length)) {
                return;
            }
            int n;
            while ((n = upstream.in().read(buf)) >= 0) {
                if (!passToClient(buf, n)) {
                    return;
                }
            }
            backendEnded();
        } catch (IOException e) {
            backendReadFailed(e);
        }
    }

    /** Relays what one read from the backend brought; false when this direction is over. */
    private boolean passToClient(byte[] buf, int n) {
        lastFrame = System.nanoTime();
        long start = lastFrame;
        try {
            toClient.relay(buf, 0, n);
        } catch (FramePump.ProtocolViolation e) {
            backendFailed(e);
            return false;
        } catch (ClientGone e) {
            clientGone(e);
            return false;
        } catch (IOException e) {
            backendReadFailed(e);
            return false;
        }
        metrics.relayTime(SidecarMetrics.TO_CLIENT, System.nanoTime() - start);
        return true;
    }

    /** The backend hung up: the end of the bridge after its close frame, a failure without one. */
    private void backendEnded() {
        if (!toClient.closeSent()) {
            backendFailed(new IOException("the backend closed the connection without a close frame"));
        } else {
            afterClose();
        }
    }

    private void backendReadFailed(IOException e) {
        if (!torn.get()) {
            if (toClient.closeSent()) {
                afterClose();
            } else {
                backendFailed(e);
            }
        }
    }

    // ---- both directions on a relay loop ----

    /** Puts both sockets under the loop, then relays what arrived with the handshakes. On the loop's thread. */
    private void register() {
        if (torn.get()) {
            return;
        }
        try {
            clientEnd.channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
            clientEnd.register(key -> ready(key, true));
            backendEnd.register(key -> ready(key, false));
        } catch (IOException | RuntimeException e) {
            clientGone(e);
            return;
        }
        clientEnd.interestChanged();
        // bytes Helidon read past the upgrade request, and bytes that came with the backend's answer
        int buffered = clientIn.available();
        if (buffered > 0) {
            byte[] bytes = new byte[buffered];
            clientIn.readBuffer(buffered).read(bytes, 0, buffered);
            if (!passToBackend(bytes, buffered)) {
                return;
            }
        }
        byte[] early = upstream.early();
        if (early.length > 0) {
            passToClient(early, early.length);
        }
    }

    /** One of the sockets is ready; a failure of the sidecar's own ends this bridge with 1011, not the loop. */
    private void ready(SelectionKey key, boolean client) {
        try {
            relayOnce(key, client);
        } catch (CancelledKeyException e) {
            // torn down while the socket was ready
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "WebSocket relay failed", e);
            backendFailed(e);
        }
    }

    /** Writes what waits for the socket, and reads it once. */
    private void relayOnce(SelectionKey key, boolean client) {
        ChannelEnd end = client ? clientEnd : backendEnd;
        if (key.isWritable()) {
            try {
                end.writable();
            } catch (IOException e) {
                if (client) {
                    clientGone(e);
                } else {
                    backendFailed(e);
                }
                return;
            }
        }
        if (!key.isValid() || !key.isReadable() || torn.get()) {
            return;
        }
        ByteBuffer buf = loop.readBuffer();
        buf.clear();
        int n;
        try {
            n = end.channel().read(buf);
        } catch (IOException e) {
            if (client) {
                clientGone(e);
            } else {
                backendReadFailed(e);
            }
            return;
        }
        if (n < 0) {
            if (client) {
                clientGone(new EOFException("the browser closed its connection"));
            } else {
                backendEnded();
            }
        } else if (n > 0 && !(client && discarding)) {
            if (client) {
                passToBackend(buf.array(), n);
            } else {
                passToClient(buf.array(), n);
            }
        }
    }

    private void writeToClientEnd(byte[] bytes, int offset, int length) throws ClientGone {
        try {
            clientEnd.write(bytes, offset, length);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private void writeToClient(byte[] bytes, int offset, int length) throws ClientGone {
        try {
            // Helidon's writeNow writes before it returns (copying into its socket buffer), so the pump's buffer
            // may be handed over as it is
            clientOut.writeNow(BufferData.create(bytes, offset, length));
        } catch (RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    /** The browser's connection failed while the backend's side wrote to it. */
    private static final class ClientGone extends IOException {
        ClientGone(Throwable cause) {
            super("the browser's connection failed", cause);
        }
    }

    /** Frames from the browser: activity, and the pongs of the sidecar's own pings stay here. */
    private final class FromClient implements FramePump.Listener {
        @Override
        public void dataFrame(int opcode, long payloadLength) {
            activity.touch();
            metrics.frame(SidecarMetrics.TO_BACKEND, payloadLength);
        }

        @Override
        public boolean controlFrame(int opcode, byte[] payload) {
            switch (opcode) {
                case FramePump.PING -> {
                    activity.touch();
                    return !ending;
                }
                case FramePump.PONG -> {
                    return !ending && !Arrays.equals(payload, KEEPALIVE);
                }
                case FramePump.CLOSE -> {
                    if (ending || toClient.closeSent()) {
                        // the browser answers a close: the handshake is complete once the backend has its answer
                        scheduleTearDown(ending ? 0 : CLOSE_GRACE_SECONDS);
                    } else {
                        scheduleTearDown(CLOSE_GRACE_SECONDS);
                    }
                    finish();
                    return !ending;
                }
                default -> {
                    return true;
                }
            }
        }
    }

    /** Frames from the backend: once the sidecar has closed, the backend's answers are not relayed. */
    private final class FromBackend implements FramePump.Listener {
        @Override
        public void dataFrame(int opcode, long payloadLength) {
            metrics.frame(SidecarMetrics.TO_CLIENT, payloadLength);
        }

        @Override
        public boolean controlFrame(int opcode, byte[] payload) {
            if (opcode == FramePump.CLOSE) {
                finish();
                scheduleTearDown(CLOSE_GRACE_SECONDS);
            }
            return !ending;
        }
    }

    // ---- endings ----

    /** The sidecar's own keep-alive, so proxies in front of it do not time an idle connection out. */
    void keepAlive() {
        try {
            toClient.inject(FramePump.controlFrame(FramePump.PING, KEEPALIVE, false));
        } catch (IOException e) {
            clientGone(e);
        }
    }

    /** Ends the bridge from the sidecar's side: revocation (1008), shutdown (1001), limits and protocol errors. */
    void end(int status, String reason) {
        if (ending) {
            return;
        }
        ending = true;
        finish();
        try {
            toClient.inject(FramePump.closeFrame(status, reason, false));
        } catch (IOException e) {
            LOG.log(Level.FINE, "browser already gone", e);
            tearDown();
        }
        try {
            toBackend.inject(FramePump.closeFrame(NORMAL_CLOSURE, reason, true));
        } catch (IOException e) {
            LOG.log(Level.FINE, "backend already gone", e);
        }
        scheduleTearDown(CLOSE_GRACE_SECONDS);
    }

    private void backendFailed(Throwable error) {
        if (torn.get()) {
            return;
        }
        metrics.backendError(backend().label());
        LOG.log(Level.FINE, "backend connection failed", error);
        upstream.close();
        end(UNEXPECTED_CONDITION, "backend connection lost");
    }

    private void clientGone(Throwable e) {
        if (torn.get()) {
            return;
        }
        LOG.log(Level.FINE, "browser went away", e);
        finish();
        try {
            toBackend.inject(FramePump.closeFrame(NORMAL_CLOSURE, "browser went away", true));
        } catch (IOException ignored) {
            // the backend is gone as well
        }
        tearDown();
    }

    /** Both closes were seen and the backend hung up: nothing more will come. */
    private void afterClose() {
        finish();
        tearDown();
    }

    private void scheduleTearDown(long seconds) {
        if (seconds == 0) {
            tearDown();
            return;
        }
        CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS).execute(this::tearDown);
    }

    /** Drops both connections: the backend's socket is closed, the browser's thread stops reading. */
    private void tearDown() {
        if (!torn.compareAndSet(false, true)) {
            return;
        }
        finish();
        upstream.close();
        if (loop != null) {
            clientEnd.cancel(); // the browser's socket is Helidon's to close once the connection's thread returns
            done.countDown();
            return;
        }
        Thread t = clientThread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt(); // a virtual thread blocked reading a socket is released by closing that socket
        }
    }

    private void finish() {
        if (finished.compareAndSet(false, true) && sockets.remove(this)) {
            metrics.closed(backend().label());
        }
    }

    /** A close reason fits in 123 bytes of UTF-8. */
    static String shorten(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
