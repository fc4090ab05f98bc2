package ai.coditect.functions.local;

import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Serves the built web app ({@code web/dist}) at {@code /} on the local platform, as static hosting does in
 * production: files as they are, {@code index.html} for the app's own paths (it routes in the browser), long
 * caching for content-hashed assets. The API's paths are never answered from here.
 */
final class WebApp {
    private static final List<String> API_PATHS = List.of("/v1/", "/.well-known/", "/healthz", "/metrics");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("map", "application/json"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("woff2", "font/woff2"));
    /**
     * The app talks only to its own origin and frames workspaces, which locally are loopback ports; nothing may
     * frame the app itself.
     */
    private static final String POLICY = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "style-src 'self'; frame-src http://127.0.0.1:* http://localhost:* https:; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'self'; object-src 'none'";

    private final Path root;

    WebApp(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The app in {@code -Dcoditect.web.dir} (set by {@code ./coditect dev}), else {@code web/dist}. */
    static WebApp fromSystemProperty() {
        return new WebApp(Path.of(System.getProperty("coditect.web.dir", "web/dist")));
    }

    /** Answers {@code request} when it is the app's to answer (GET or HEAD outside the API); false otherwise. */
    boolean serve(HttpRequest request, HttpResponse response) throws IOException {
        String method = request.getMethod();
        String path = request.getPath();
        if (!(method.equals("GET") || method.equals("HEAD")) || API_PATHS.stream().anyMatch(path::startsWith)) {
            return false;
        }
        Path index = root.resolve("index.html");
        if (!Files.isRegularFile(index)) {
            send(response, method, 503, "text/plain; charset=utf-8", "no-store", ("The web app is not built yet ("
                    + root + "). ./coditect dev builds it; or run: mvn -pl web package\n")
                    .getBytes(StandardCharsets.UTF_8));
            return true;
        }
        Path file = resolve(path);
        String name = file == null ? "" : file.getFileName().toString();
        if (file == null || !Files.isRegularFile(file)) {
            if (path.substring(path.lastIndexOf('/') + 1).contains(".")) {
                return false; // a missing file, not a page of the app: the usual 404
            }
            file = index;
            name = "index.html";
        }
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String cache = path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
        send(response, method, 200, TYPES.getOrDefault(extension, "application/octet-stream"), cache,
                Files.readAllBytes(file));
        return true;
    }

    /** The file {@code path} names under the root, or null when it would leave it. */
    private Path resolve(String path) {
        String relative = path.replaceFirst("^/+", "");
        if (relative.isEmpty() || relative.contains("\\") || relative.contains("\0")) {
            return null;
        }
        Path file = root.resolve(relative).normalize();
        return file.startsWith(root) && !file.equals(root) ? file : null;
    }

    private static void send(HttpResponse response, String method, int status, String type, String cache, byte[] body)
            throws IOException {
        response.setStatusCode(status);
        response.setContentType(type);
        response.appendHeader("Cache-Control", cache);
        response.appendHeader("Content-Security-Policy", POLICY);
        response.appendHeader("X-Content-Type-Options", "nosniff");
        response.appendHeader("Referrer-Policy", "same-origin");
        if (method.equals("GET")) {
            try (OutputStream out = response.getOutputStream()) {
                out.write(body);
            }
        }
    }
}
