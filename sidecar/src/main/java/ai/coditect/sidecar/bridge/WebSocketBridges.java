package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.auth.Credentials;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.websocket.WsListener;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens the backend end of a WebSocket before the browser's upgrade is answered — so that a backend that is
 * down is a 502 rather than a socket that opens and dies, and so that the browser gets the subprotocol the
 * backend chose — and makes the listener that bridges the two once the upgrade is done.
 */
public final class WebSocketBridges {
    private static final Set<String> FORWARDED = Set.of("origin", "user-agent", "accept-language", "cookie");

    private final HttpClient http;
    private final Targets targets;
    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final boolean keepsHost;

    public WebSocketBridges(HttpClient http, Targets targets, OpenSockets sockets, ActivityReporter activity,
                            SidecarMetrics metrics, boolean keepsHost) {
        this.http = http;
        this.targets = targets;
        this.sockets = sockets;
        this.activity = activity;
        this.metrics = metrics;
        this.keepsHost = keepsHost;
    }

    /** Why the backend end could not be opened, as the browser should hear it. */
    public static final class BackendUnavailable extends Exception {
        private final int status;
        private final String code;

        BackendUnavailable(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    /** Connects to the backend that {@code req} is for and leaves the connection for the upgrade to take. */
    public void connect(ServerRequest req, Credentials credentials) throws BackendUnavailable {
        Backend backend = Backend.forPath(req.path().rawPath());
        if (!targets.has(backend)) {
            throw new BackendUnavailable(503, "codi2_not_configured",
                    "This workspace has no CODI2 agent; the IDE works without it.");
        }
        URI target = targets.webSocket(backend, req.path().rawPath(), req.query().rawValue());
        Upstream upstream = new Upstream(backend);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        List<String> subprotocols = subprotocols(req);
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.getFirst(),
                    subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        for (Header h : req.headers()) {
            String name = h.name().toLowerCase(java.util.Locale.ROOT);
            if (!FORWARDED.contains(name)) {
                continue;
            }
            String value = name.equals("cookie")
                    ? ForwardedHeaders.withoutSidecarCookies(String.join("; ", h.allValues()))
                    : String.join(", ", h.allValues());
            if (value != null) {
                builder.header(h.name(), value);
            }
        }
        if (keepsHost) {
            req.headers().first(HeaderNames.HOST).ifPresent(host -> builder.header("Host", host));
        }
        try {
            builder.buildAsync(target, upstream).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            metrics.backendError(backend.label());
            // CODI2 is optional: without it the IDE still works, so it is "unavailable", not a broken gateway
            int status = backend == Backend.CODI2 ? 503 : 502;
            String code = backend == Backend.CODI2 ? "codi2_unavailable" : "backend_unavailable";
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw new BackendUnavailable(status, code, "The " + backend.label() + " backend refused the "
                        + "WebSocket (" + refused.getResponse().statusCode() + ").");
            }
            throw new BackendUnavailable(status, code, "The " + backend.label() + " backend is not reachable right now.");
        } catch (TimeoutException e) {
            metrics.backendError(backend.label());
            throw new BackendUnavailable(504, "backend_timeout", "The " + backend.label() + " backend did not answer in time.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailable(503, "shutting_down", "The workspace is shutting down.");
        }
        new PendingUpgrade(upstream, credentials).offer();
    }

    /** Closes a backend connection that was opened but not taken by an upgrade. */
    public void discardUntaken() {
        PendingUpgrade.discardUntaken();
    }

    /** A new listener for one upgraded connection. */
    public WsListener newListener() {
        return new SocketBridge(sockets, activity, metrics);
    }

    private static List<String> subprotocols(ServerRequest req) {
        List<String> out = new ArrayList<>();
        for (String value : req.headers().values(HeaderNames.create("Sec-WebSocket-Protocol"))) {
            for (String p : value.split(",")) {
                if (!p.isBlank()) {
                    out.add(p.trim());
                }
            }
        }
        return out;
    }
}
