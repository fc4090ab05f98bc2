package ai.coditect.sidecar.bridge;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The backend end of one bridged WebSocket (the JDK's client). It reads one message part at a time and asks for
 * the next only once the part is on its way to the browser, so a slow browser slows the backend down instead of
 * making the sidecar buffer.
 */
final class Upstream implements WebSocket.Listener {
    private final Backend backend;
    private volatile WebSocket socket;
    private volatile SocketBridge bridge;
    private StringBuilder pendingSurrogate;

    Upstream(Backend backend) {
        this.backend = backend;
    }

    Backend backend() {
        return backend;
    }

    WebSocket socket() {
        return socket;
    }

    /** Starts relaying to {@code bridge}: nothing is read from the backend before the browser side is open. */
    void attach(SocketBridge bridge) {
        this.bridge = bridge;
        socket.request(1);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.socket = webSocket; // no request(1) yet: see attach
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        String text = data.toString();
        if (pendingSurrogate != null) {
            text = pendingSurrogate.append(text).toString();
            pendingSurrogate = null;
        }
        if (!last && !text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
            // a part may end inside a surrogate pair; send the pair whole with the next part
            pendingSurrogate = new StringBuilder().append(text.charAt(text.length() - 1));
            text = text.substring(0, text.length() - 1);
        }
        bridge.toClient(text, last);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        bridge.toClient(bytes, last);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        bridge.pingClient(bytes);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        bridge.pongClient(bytes);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        SocketBridge b = bridge;
        if (b != null) {
            b.backendClosed(statusCode, reason);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        SocketBridge b = bridge;
        if (b != null) {
            b.backendFailed(error);
        }
    }
}
