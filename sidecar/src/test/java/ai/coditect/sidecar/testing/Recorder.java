package ai.coditect.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client listener that reassembles whole messages (from however many parts) and records them, the
 * pongs, and how the connection closed.
 */
public final class Recorder implements WebSocket.Listener {
    /** A whole message: text or binary. */
    public record Message(String text, byte[] binary, int parts) {
        public boolean isText() {
            return text != null;
        }
    }

    public final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    public final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
    public final BlockingQueue<byte[]> pings = new LinkedBlockingQueue<>();
    public final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private int parts;

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        parts++;
        if (last) {
            messages.add(new Message(text.toString(), null, parts));
            text.setLength(0);
            parts = 0;
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        parts++;
        if (last) {
            messages.add(new Message(null, binary.toByteArray(), parts));
            binary.reset();
            parts = 0;
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.get(b);
        pings.add(b);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.get(b);
        pongs.add(b);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + ":" + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error:" + error);
    }

    public Message next() throws InterruptedException {
        Message m = messages.poll(30, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 30 s");
        }
        return m;
    }

    public String nextText() throws InterruptedException {
        Message m = next();
        if (!m.isText()) {
            throw new AssertionError("expected text, got " + m.binary().length + " binary bytes");
        }
        return m.text();
    }

    public String awaitClose() throws Exception {
        return closed.get(60, TimeUnit.SECONDS);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
