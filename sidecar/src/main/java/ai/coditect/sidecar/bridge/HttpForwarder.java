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

/**
 * The HTTP reverse proxy to Theia: method, path and query, headers (minus hop-by-hop ones and the sidecar's own
 * credentials, with the client's {@code Host} kept because Theia compares it with {@code Origin}), bodies
 * streamed both ways, and the backend's status. A backend that cannot be reached is a 502 problem; one that does
 * not answer in time, a 504.
 */
public final class HttpForwarder implements Handler {
    private final HttpClient http;
    private final Targets targets;
    private final Duration timeout;
    private final SidecarMetrics metrics;

    public HttpForwarder(HttpClient http, Targets targets, Duration timeout, SidecarMetrics metrics) {
        this.http = http;
        this.targets = targets;
        this.timeout = timeout;
        this.metrics = metrics;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String method = req.prologue().method().text();
        URI target = targets.http(req.path().rawPath(), req.query().rawValue());
        HttpRequest.Builder upstream = HttpRequest.newBuilder(target).timeout(timeout);
        String connection = req.headers().first(HeaderNames.CONNECTION).orElse(null);
        for (Header h : req.headers()) {
            String name = h.name();
            if (ForwardedHeaders.isHopByHop(name, connection) || ForwardedHeaders.isSidecarOnly(name)) {
                continue;
            }
            if (name.equalsIgnoreCase("cookie")) {
                String kept = ForwardedHeaders.withoutSidecarCookie(String.join("; ", h.allValues()));
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
            upstream.header("Host", host);
            upstream.header("X-Forwarded-Host", host);
        });
        upstream.header("X-Forwarded-Proto", isHttps(req) ? "https" : "http");
        if (req.remotePeer().address() instanceof InetSocketAddress peer) {
            upstream.header("X-Forwarded-For", peer.getAddress().getHostAddress());
        }
        upstream.method(method, body(req));

        HttpResponse<InputStream> response;
        try {
            response = http.send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            failed(res, 502, "backend_unavailable", "The IDE is not reachable right now; it may be starting.");
            return;
        } catch (HttpTimeoutException e) {
            failed(res, 504, "backend_timeout", "The IDE did not answer in time.");
            return;
        } catch (IOException e) {
            failed(res, 502, "backend_unavailable", "The connection to the IDE failed.");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(res, 503, "shutting_down", "The workspace is shutting down.");
            return;
        }
        relay(method, response, res);
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

    private void relay(String method, HttpResponse<InputStream> response, ServerResponse res) {
        int status = response.statusCode();
        metrics.httpRequest(Backend.THEIA.label(), status);
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
            metrics.backendError(Backend.THEIA.label());
        }
    }

    private void failed(ServerResponse res, int status, String code, String detail) {
        metrics.backendError(Backend.THEIA.label());
        Problems.send(res, status, code, detail);
    }

    public static boolean isHttps(ServerRequest req) {
        return req.isSecure() || req.headers().first(HeaderNames.create("X-Forwarded-Proto"))
                .map(p -> p.equalsIgnoreCase("https")).orElse(false);
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
