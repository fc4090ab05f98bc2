package ai.coditect.sidecar.bridge;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backend end of one bridged WebSocket: a plain TCP connection on which the sidecar made the WebSocket
 * handshake itself, so that afterwards frames can be copied between browser and backend as they are.
 */
final class Upstream {
    private static final SecureRandom KEYS = new SecureRandom();
    private static final int MAX_ANSWER_BYTES = 16 * 1024;

    private final Backend backend;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String subprotocol;
    private final byte[] early;

    private Upstream(Backend backend, Socket socket, String subprotocol, byte[] early) throws IOException {
        this.backend = backend;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.subprotocol = subprotocol;
        this.early = early;
    }

    /** The backend refused the handshake with this HTTP status. */
    static final class Refused extends IOException {
        private final int status;

        Refused(int status) {
            super("the backend answered the WebSocket handshake with " + status, null);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /**
     * Connects to {@code target} ({@code ws:} or {@code wss:}) and makes the handshake with the given request
     * headers (names as sent, values without line breaks) and subprotocols.
     */
    static Upstream open(Backend backend, URI target, String host, List<String> subprotocols,
                         Map<String, String> headers, Duration connectTimeout, Duration answerTimeout)
            throws IOException {
        boolean secure = "wss".equals(target.getScheme());
        int port = target.getPort() != -1 ? target.getPort() : secure ? 443 : 80;
        // a plain connection is a channel, so that the relay loop can select on it once the handshake is done
        Socket socket = secure ? SSLSocketFactory.getDefault().createSocket() : SocketChannel.open().socket();
        try {
            socket.connect(new InetSocketAddress(target.getHost(), port), (int) connectTimeout.toMillis());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) answerTimeout.toMillis());
            byte[] nonce = new byte[16];
            KEYS.nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            StringBuilder request = new StringBuilder(512)
                    .append("GET ").append(target.getRawPath())
                    .append(target.getRawQuery() == null ? "" : "?" + target.getRawQuery())
                    .append(" HTTP/1.1\r\nHost: ").append(host)
                    .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(key)
                    .append("\r\nSec-WebSocket-Version: 13\r\n");
            if (!subprotocols.isEmpty()) {
                request.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols)).append("\r\n");
            }
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            Answer answer = Answer.read(socket.getInputStream());
            if (answer.status != 101) {
                throw new Refused(answer.status);
            }
            String accept = answer.header("sec-websocket-accept");
            if (accept == null || !accept.equals(accept(key))) {
                throw new IOException("the backend's handshake answer does not match the key");
            }
            if (answer.header("sec-websocket-extensions") != null) {
                throw new IOException("the backend chose an extension that was not offered");
            }
            String chosen = answer.header("sec-websocket-protocol");
            if (chosen != null && !subprotocols.contains(chosen)) {
                throw new IOException("the backend chose a subprotocol that was not offered");
            }
            socket.setSoTimeout(0);
            return new Upstream(backend, socket, chosen, answer.early);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The value of Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                    .getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    Backend backend() {
        return backend;
    }

    /** The subprotocol the backend chose, or null. */
    String subprotocol() {
        return subprotocol;
    }

    /** Frame bytes that arrived together with the handshake's answer. */
    byte[] early() {
        return early;
    }

    InputStream in() {
        return in;
    }

    /** The connection's channel for the relay loop, or null when its bytes go through TLS ({@code wss:}). */
    SocketChannel channel() {
        return socket instanceof javax.net.ssl.SSLSocket ? null : socket.getChannel();
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that is left to do with it
        }
    }

    /** The status line and headers of the handshake's answer, and whatever came after them. */
    private record Answer(int status, Map<String, String> headers, byte[] early) {
        String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }

        static Answer read(InputStream in) throws IOException {
            byte[] buf = new byte[4096];
            int length = 0;
            int end;
            while ((end = headEnd(buf, length)) < 0) {
                if (length == buf.length) {
                    if (buf.length >= MAX_ANSWER_BYTES) {
                        throw new IOException("the backend's handshake answer is too long");
                    }
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int n = in.read(buf, length, buf.length - length);
                if (n < 0) {
                    throw new IOException("the backend closed the connection during the handshake");
                }
                length += n;
            }
            String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
                throw new IOException("the backend did not answer in HTTP/1.1");
            }
            int status;
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (NumberFormatException e) {
                throw new IOException("the backend's status line is not HTTP", e);
            }
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
            }
            return new Answer(status, headers, Arrays.copyOfRange(buf, end + 4, length));
        }

        /** The index of the blank line's CRLFCRLF, or -1. */
        private static int headEnd(byte[] buf, int length) {
            for (int i = 0; i + 3 < length; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }
}
