package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.auth.Credentials;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens the backend end of a WebSocket before the browser's upgrade is answered — so that a backend that is
 * down is a 502 rather than a socket that opens and dies, and so that the browser gets the subprotocol the
 * backend chose — and makes the bridge that relays frames between the two once the upgrade is done.
 */
public final class WebSocketBridges {
    private static final Set<String> FORWARDED = Set.of("origin", "user-agent", "accept-language", "cookie");

    private final Targets targets;
    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final boolean keepsHost;
    private final long maxFrameBytes;

    public WebSocketBridges(Targets targets, OpenSockets sockets, ActivityReporter activity,
                            SidecarMetrics metrics, boolean keepsHost, long maxFrameBytes) {
        this.targets = targets;
        this.sockets = sockets;
        this.activity = activity;
        this.metrics = metrics;
        this.keepsHost = keepsHost;
        this.maxFrameBytes = maxFrameBytes;
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
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : req.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (!FORWARDED.contains(name)) {
                continue;
            }
            String value = name.equals("cookie")
                    ? ForwardedHeaders.withoutSidecarCookies(String.join("; ", h.allValues()))
                    : String.join(", ", h.allValues());
            if (value != null && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
                headers.put(h.name(), value);
            }
        }
        String host = keepsHost
                ? req.headers().first(HeaderNames.HOST).orElse(target.getRawAuthority())
                : target.getRawAuthority();
        if (host.indexOf('\r') >= 0 || host.indexOf('\n') >= 0) {
            host = target.getRawAuthority();
        }
        Upstream upstream;
        try {
            upstream = Upstream.open(backend, target, host, subprotocols(req), headers, Duration.ofSeconds(5),
                    Duration.ofSeconds(10));
        } catch (SocketTimeoutException e) {
            metrics.backendError(backend.label());
            throw new BackendUnavailable(504, "backend_timeout", "The " + backend.label() + " backend did not answer in time.");
        } catch (IOException e) {
            metrics.backendError(backend.label());
            // CODI2 is optional: without it the IDE still works, so it is "unavailable", not a broken gateway
            int status = backend == Backend.CODI2 ? 503 : 502;
            String code = backend == Backend.CODI2 ? "codi2_unavailable" : "backend_unavailable";
            if (e instanceof Upstream.Refused refused) {
                throw new BackendUnavailable(status, code, "The " + backend.label() + " backend refused the "
                        + "WebSocket (" + refused.status() + ").");
            }
            throw new BackendUnavailable(status, code, "The " + backend.label() + " backend is not reachable right now.");
        }
        new PendingUpgrade(upstream, credentials).offer();
    }

    /** Closes a backend connection that was opened but not taken by an upgrade. */
    public void discardUntaken() {
        PendingUpgrade.discardUntaken();
    }

    /** The bridge of an upgrade that the authentication filter let through, on the connection it takes over. */
    SocketBridge bridge(ConnectionContext ctx, PendingUpgrade pending) {
        return new SocketBridge(ctx, pending.upstream(), pending.credentials(), sockets, activity, metrics,
                maxFrameBytes);
    }

    /** The server's WebSocket protocol: upgrades go through the routing's filters, then to {@link #bridge}. */
    public RelayProtocol protocol() {
        return new RelayProtocol(this);
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
