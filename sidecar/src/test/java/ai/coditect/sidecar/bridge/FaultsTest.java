package ai.coditect.sidecar.bridge;

import ai.coditect.shared.testing.Eventually;
import ai.coditect.sidecar.testing.EchoBackend;
import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import ai.coditect.sidecar.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backend that is down, dies or restarts, a client that does not read, a client that sends garbage. */
class FaultsTest {
    private SidecarFixture fixture;
    private TcpRelay relay;

    @AfterEach
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aBackendThatIsDownIsAnErrorAndNotAHangAndCodi2DownLeavesTheIdeWorking() throws Exception {
        fixture = SidecarFixture.start();
        fixture.codi2.close();
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> fixture.connect("/codi2", new Recorder()));
        assertEquals(503, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause())
                .getResponse().statusCode(), "CODI2 is optional: unavailable, not a broken gateway");
        HttpResponse<String> codi2 = fixture.get("/codi2/status", fixture.token());
        assertEquals(503, codi2.statusCode());
        assertTrue(codi2.body().contains("codi2_unavailable"), codi2.body());
        assertEquals(200, fixture.get("/index.html", fixture.token()).statusCode(), "Theia is still served");

        fixture.theia.close();
        HttpResponse<String> r = fixture.get("/index.html", fixture.token());
        assertEquals(502, r.statusCode());
        assertTrue(r.body().contains("backend_unavailable"), r.body());
    }

    @Test
    void aWorkspaceWithoutCodi2Answers503ThereAndServesTheIde() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODI2_URL", "none");
            return env;
        });
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> fixture.connect("/codi2", new Recorder()));
        assertEquals(503, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause())
                .getResponse().statusCode());
        HttpResponse<String> http = fixture.get("/codi2/anything", fixture.token());
        assertEquals(503, http.statusCode());
        assertTrue(http.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        assertTrue(http.body().contains("codi2_not_configured"), http.body());
        assertEquals(0, fixture.codi2.upgrades.get() + fixture.codi2.httpRequests.get());

        assertEquals(200, fixture.get("/index.html", fixture.token()).statusCode());
        Recorder ide = new Recorder();
        fixture.connect("/services", ide).sendText("the IDE works", true);
        assertEquals("the IDE works", ide.nextText());
        HttpResponse<String> ready = fixture.http.send(java.net.http.HttpRequest.newBuilder(
                fixture.managementUrl("/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"codi2\":\"not configured\""), ready.body());
    }

    @Test
    void aBackendThatDiesMidStreamClosesTheBrowsersSocketWith1011AndARestartedBackendServesAgain() throws Exception {
        EchoBackend backend = EchoBackend.start("theia-behind-relay");
        relay = new TcpRelay(backend.port());
        fixture = SidecarFixture.start(env -> {
            env.put("THEIA_URL", "http://127.0.0.1:" + relay.port());
            return env;
        });
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/socket", recorder);
        ws.sendText("before", true);
        assertEquals("before", recorder.nextText());
        Recorder bystander = new Recorder();
        WebSocket codi2 = fixture.connect("/codi2", bystander);

        relay.cutAll();
        String close = recorder.awaitClose();
        assertTrue(close.startsWith("1011:"), close);

        codi2.sendText("unaffected", true);
        assertEquals("unaffected", bystander.nextText(), "other connections keep working");

        int port = backend.port();
        backend.close();
        EchoBackend restarted = EchoBackend.startOn("theia-restarted", port);
        try {
            Recorder again = new Recorder();
            fixture.connect("/socket", again).sendText("who", true);
            assertEquals("theia-restarted", again.nextText());
        } finally {
            restarted.close();
        }
    }

    @Test
    void aClientThatDoesNotReadSlowsTheBackendInsteadOfFillingTheSidecar() throws Exception {
        fixture = SidecarFixture.start();
        WebSocket.Listener neverReads = new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                // never request(): the JDK client stops reading the socket
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
                return null;
            }
        };
        WebSocket ws = fixture.connect("/flood", neverReads);
        ws.sendText("flood:512", true).get(5, TimeUnit.SECONDS);
        // The event: the sidecar stops reading the backend because the browser took nothing, and the backend is
        // stuck in a send; until the browser reads, no more than the sockets' kernel buffers can move. Had the
        // sidecar buffered, it would never hold the backend back and the flood would run to its 512 MiB.
        Eventually.holds(Duration.ofSeconds(120),
                () -> fixture.sidecar.sockets().heldBack() == 1 && fixture.theia.floodBlocked(),
                () -> "the sidecar never held the backend back; it sent " + fixture.theia.flooded.get() + " bytes");
        long stalled = fixture.theia.flooded.get();
        System.out.printf("a client that does not read: the backend got %.1f MiB of 512 MiB out%n", stalled / 1048576.0);
        assertTrue(stalled < 64L * 1024 * 1024, "the backend could push " + stalled + " bytes into a client that reads nothing");
        Recorder other = new Recorder();
        fixture.connect("/other", other).sendText("still fast", true);
        assertEquals("still fast", other.nextText());

        ws.request(Long.MAX_VALUE); // the client reads again: the backend goes on
        Eventually.holds(Duration.ofSeconds(30), () -> fixture.theia.flooded.get() > stalled + 1024 * 1024);
        assertTrue(fixture.theia.flooded.get() > stalled + 1024 * 1024, "it was the client that held the backend back");
        ws.abort();
    }

    @Test
    void aFrameOverTheLimitClosesThatSocketWith1009AndReachesNoBackend() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_MAX_FRAME_BYTES", "1024");
            return env;
        });
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/limits", recorder);
        ws.sendText("x".repeat(1024), true);
        assertEquals(1024, recorder.nextText().length(), "a frame of exactly the limit crosses");
        ws.sendText("y".repeat(1025), true);
        assertEquals("1009:frame too large", recorder.awaitClose());
        Recorder other = new Recorder();
        fixture.connect("/limits", other).sendText("still served", true);
        assertEquals("still served", other.nextText());
    }

    @Test
    void tenThousandMalformedFramesLeaveTheSidecarServingEveryoneElse() throws Exception {
        fixture = SidecarFixture.start();
        Recorder healthy = new Recorder();
        WebSocket good = fixture.connect("/healthy", healthy);
        int dropped = 0;
        for (int connection = 0; connection < 100; connection++) {
            try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), fixture.sidecar.port())) {
                raw.setSoTimeout(20_000);
                OutputStream out = raw.getOutputStream();
                String key = Base64.getEncoder().encodeToString(String.format("key-%012d", connection)
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(("GET /garbage HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                        + "Authorization: Bearer " + fixture.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = raw.getInputStream();
                String status = readLine(in);
                assertTrue(status.contains("101"), status);
                while (!readLine(in).isBlank()) {
                    // the rest of the handshake's headers
                }
                for (int f = 0; f < 100; f++) {
                    // reserved bits set, an undefined opcode, unmasked: every one a protocol violation
                    try {
                        out.write(new byte[] {(byte) 0xF3, 0x05, 'j', 'u', 'n', 'k', '!'});
                        out.flush();
                    } catch (java.io.IOException closedByServer) {
                        break; // the sidecar dropped us, as it should; the rest of our frames go nowhere
                    }
                }
                if (droppedBySidecar(in)) {
                    dropped++;
                }
            }
        }
        assertEquals(100, dropped, "the sidecar ended every connection that sent garbage");
        Eventually.holds(Duration.ofSeconds(30), () -> fixture.sidecar.sockets().count() == 1);
        assertEquals(1, fixture.sidecar.sockets().count(), "no bridge of a dropped connection is left open");
        good.sendText("still served", true);
        assertEquals("still served", healthy.nextText());
        HttpResponse<String> r = fixture.get("/index.html", fixture.token());
        assertEquals(200, r.statusCode());
    }

    /**
     * Reads the sidecar's answer to garbage: a close frame with 1002 (protocol error), or the end of the connection.
     * Like any client that got a close, the caller then hangs up.
     */
    private static boolean droppedBySidecar(InputStream in) {
        try {
            int first = in.read();
            if (first < 0) {
                return true;
            }
            assertEquals(0x88, first, "an unmasked, final close frame");
            int length = in.read();
            byte[] payload = in.readNBytes(length);
            assertTrue(payload.length >= 2, "the close frame carries a status");
            assertEquals(1002, ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF));
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false; // no answer after 20 s
        } catch (java.io.IOException e) {
            return true; // reset: dropped too
        }
    }

    private static String readLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }
}
