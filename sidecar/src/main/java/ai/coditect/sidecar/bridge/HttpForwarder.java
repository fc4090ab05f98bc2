package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The HTTP reverse proxy to Theia (and to CODI2 for {@code /codi2}): method, path and query, headers (minus
 * hop-by-hop ones and the sidecar's own credentials, with the client's {@code Host} kept because Theia compares it
 * with {@code Origin}), bodies streamed both ways, and the backend's status. Theia that cannot be reached is a 502
 * problem, one that does not answer in time a 504; CODI2 that is absent or unreachable is a 503, because the IDE
 * works without it.
 */
public final class HttpForwarder implements Handler {
    private final Supplier<HttpClient> http;
    private final Targets targets;
    private final Duration timeout;
    private final boolean https;
    private final boolean keepsHost;
    private final SidecarMetrics metrics;

    /**
     * @param https     whether browsers reach the sidecar over TLS (from configuration, never from a header)
     * @param keepsHost whether the HTTP client may send the browser's {@code Host} (see {@link HostHeader})
     */
    public HttpForwarder(Supplier<HttpClient> http, Targets targets, Duration timeout, boolean https,
                         boolean keepsHost, SidecarMetrics metrics) {
        this.http = http;
        this.targets = targets;
        this.timeout = timeout;
        this.https = https;
        this.keepsHost = keepsHost;
        this.metrics = metrics;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String method = req.prologue().method().text();
        Backend backend = Backend.forPath(req.path().rawPath());
        if (!targets.has(backend)) {
            failed(res, backend, 503, "codi2_not_configured", "This workspace has no CODI2 agent; the IDE works without it.");
            return;
        }
        URI target = targets.http(backend, req.path().rawPath(), req.query().rawValue());
        HttpRequest.Builder upstream = HttpRequest.newBuilder(target).timeout(timeout);
        String connection = req.headers().first(HeaderNames.CONNECTION).orElse(null);
        for (Header h : req.headers()) {
            String name = h.name();
            if (ForwardedHeaders.isHopByHop(name, connection) || ForwardedHeaders.isSidecarOnly(name)) {
                continue;
            }
            if (name.equalsIgnoreCase("cookie")) {
                String kept = ForwardedHeaders.withoutSidecarCookies(String.join("; ", h.allValues()));
                if (kept != null) {
                    upstream.header("Cookie", kept);
                }
                continue;
            }
            for (String value : h.allValues()) {
                upstream.header(name, value);
            }
        }
        req.headers().first(HeaderNames.HOST).ifPresent(host -> {
            if (keepsHost) {
                upstream.header("Host", host);
            }
            upstream.header("X-Forwarded-Host", host);
        });
        upstream.header("X-Forwarded-Proto", https ? "https" : "http");
        if (req.remotePeer().address() instanceof InetSocketAddress peer) {
            upstream.header("X-Forwarded-For", peer.getAddress().getHostAddress());
        }
        upstream.method(method, body(req));

        HttpResponse<InputStream> response;
        try {
            response = http.get().send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            unreachable(res, backend, "not reachable right now; it may be starting.");
            return;
        } catch (HttpTimeoutException e) {
            failed(res, backend, 504, "backend_timeout", "The " + name(backend) + " did not answer in time.");
            return;
        } catch (IOException e) {
            unreachable(res, backend, "connection failed.");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(res, backend, 503, "shutting_down", "The workspace is shutting down.");
            return;
        }
        relay(backend, method, response, res);
    }

    private void unreachable(ServerResponse res, Backend backend, String what) {
        if (backend == Backend.CODI2) {
            failed(res, backend, 503, "codi2_unavailable", "The CODI2 agent is " + what + " The IDE works without it.");
        } else {
            failed(res, backend, 502, "backend_unavailable", "The IDE is " + what);
        }
    }

    private static String name(Backend backend) {
        return backend == Backend.CODI2 ? "CODI2 agent" : "IDE";
    }

    private HttpRequest.BodyPublisher body(ServerRequest req) {
        OptionalLong length = req.headers().contentLength();
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        if (!chunked && (length.isEmpty() || length.getAsLong() == 0)) {
            return HttpRequest.BodyPublishers.noBody();
        }
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> {
            InputStream in = req.content().inputStream();
            return new CountingInputStream(in, n -> metrics.bodyBytes(SidecarMetrics.TO_BACKEND, n));
        });
        return length.isPresent() ? HttpRequest.BodyPublishers.fromPublisher(stream, length.getAsLong()) : stream;
    }

    private void relay(Backend backend, String method, HttpResponse<InputStream> response, ServerResponse res) {
        int status = response.statusCode();
        metrics.httpRequest(backend.label(), status);
        res.status(Status.create(status));
        String connection = response.headers().firstValue("connection").orElse(null);
        for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
            String name = h.getKey();
            if (name.startsWith(":") || ForwardedHeaders.isHopByHop(name, connection)) {
                continue;
            }
            res.header(HeaderValues.create(HeaderNames.create(name), h.getValue()));
        }
        try (InputStream in = response.body()) {
            if (method.equals("HEAD") || status == 204 || status == 304) {
                res.send();
                return;
            }
            try (OutputStream out = res.outputStream()) {
                byte[] buffer = new byte[16 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    metrics.bodyBytes(SidecarMetrics.TO_CLIENT, n);
                }
            }
        } catch (IOException e) {
            // the client or the backend went away mid-body; nothing sensible can be sent any more
            metrics.backendError(backend.label());
        }
    }

    private void failed(ServerResponse res, Backend backend, int status, String code, String detail) {
        metrics.backendError(backend.label());
        Problems.json(res, status, code, detail);
    }

    /** Counts the bytes read through it, for the body metrics. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private final java.util.function.LongConsumer count;

        CountingInputStream(InputStream in, java.util.function.LongConsumer count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.accept(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count.accept(n);
            }
            return n;
        }
    }
}
