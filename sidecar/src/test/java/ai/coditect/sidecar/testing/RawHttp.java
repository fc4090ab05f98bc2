package ai.coditect.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for requests no client library would send: hostile request targets, raw
 * backslashes, absolute and authority forms. Reads one response (by its Content-Length, or to the end).
 */
public final class RawHttp {
    /** One response: status, header lines as sent, body. */
    public record Response(int status, List<String> headers, String body) {
        public Optional<String> header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).trim()).findFirst();
        }
    }

    private RawHttp() {
    }

    /** Sends {@code METHOD target HTTP/1.1} with {@code Host: 127.0.0.1} and the extra header lines. */
    public static Response send(int port, String method, String target, String... headers) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(15_000);
            StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            boolean host = false;
            for (String h : headers) {
                host |= h.toLowerCase(Locale.ROOT).startsWith("host:");
                request.append(h).append("\r\n");
            }
            if (!host) {
                request.append("Host: 127.0.0.1:").append(port).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            if (statusLine.isEmpty()) {
                throw new IOException("no answer to " + method + " " + target);
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            List<String> lines = new ArrayList<>();
            long length = -1;
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                lines.add(l);
                if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(l.substring(15).trim());
                }
            }
            byte[] body = length >= 0 ? in.readNBytes((int) length) : readToEnd(in);
            return new Response(status, lines, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (java.net.SocketTimeoutException e) {
            // a kept-alive connection: what came is the body
        }
        return out.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
