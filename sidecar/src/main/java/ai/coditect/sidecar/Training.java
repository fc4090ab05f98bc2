package ai.coditect.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training run that makes the image's AOT cache ({@code java -XX:AOTCacheOutput=... Main train}): starts a
 * sidecar as usual on loopback ports, asks it over real HTTP what a workspace's sidecar is asked before its first
 * user arrives (the kubelet's probes), and stops it, so that the JVM, exiting, writes the classes this loaded into
 * the cache. What it does not ask (a browser's first request: token, session check, problem+json, TLS) stays out
 * of the cache, which every start loads whole: each class in it costs idle memory in every pod.
 */
final class Training {
    /** What a new workspace's sidecar answers before anyone uses it, in the order the kubelet asks. */
    static final List<String> PROBES = List.of("/healthz", "/readyz", "/healthz", "/readyz");

    /** The answers of one training run, by path, and the ports its sidecar listened on. */
    record Run(int port, int managementPort, Map<String, Integer> answers) {
    }

    private Training() {
    }

    /** Starts, asks and stops a sidecar; fails if it did not answer as a healthy sidecar does. */
    static Run run(Clock clock) throws IOException {
        // nothing is expected to listen on these (port 9 is the discard service): the sidecar answers "not ready"
        SidecarConfig config = SidecarConfig.fromEnvironment(Map.ofEntries(
                Map.entry("HOST", "127.0.0.1"),
                Map.entry("PORT", "0"),
                Map.entry("MANAGEMENT_PORT", "0"),
                Map.entry("THEIA_URL", "http://127.0.0.1:9"),
                Map.entry("CODI2_URL", "none"),
                Map.entry("CODITECT_OWNER_USER_ID", "training"),
                Map.entry("CODITECT_OWNER_TENANT_ID", "training"),
                Map.entry("CODITECT_ISSUER", "https://training.invalid"),
                Map.entry("CODITECT_JWKS_URL", "http://127.0.0.1:9/jwks"),
                Map.entry("CODITECT_SESSION_URL", "http://127.0.0.1:9/session"),
                Map.entry("CODITECT_ACTIVITY_URL", "http://127.0.0.1:9/activity"),
                Map.entry("CODITECT_AGENT_TOKEN", "training")));
        Map<String, Integer> answers = new LinkedHashMap<>();
        int port;
        int managementPort;
        try (Sidecar sidecar = Sidecar.start(config, clock)) {
            port = sidecar.port();
            managementPort = sidecar.managementPort();
            for (String path : PROBES) {
                answers.put(path, status(managementPort, path));
            }
        }
        int ready = answers.get("/readyz");
        if (answers.get("/healthz") != 200 || (ready != 200 && ready != 503)) {
            throw new IllegalStateException("the training sidecar answered " + answers + " instead of 200 for "
                    + "health and 200 or 503 (Theia down) for readiness");
        }
        return new Run(port, managementPort, answers);
    }

    /** The status of a plain HTTP/1.1 GET; a raw socket, so the JDK's HTTP client stays out of the cache. */
    static int status(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = statusLine(socket.getInputStream());
            if (!line.matches("HTTP/1\\.1 \\d{3}( .*)?")) {
                throw new IOException("not an HTTP answer to GET " + path + ": " + line);
            }
            return Integer.parseInt(line.substring(9, 12));
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || line.length() > 200) {
                throw new IOException("the connection ended before a status line: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
