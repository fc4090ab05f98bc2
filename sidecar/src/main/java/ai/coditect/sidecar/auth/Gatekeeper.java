package ai.coditect.sidecar.auth;

import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.bridge.ForwardedHeaders;
import ai.coditect.sidecar.bridge.OpenSockets;
import ai.coditect.sidecar.bridge.Problems;
import ai.coditect.sidecar.bridge.WebSocketBridges;
import ai.coditect.sidecar.management.SidecarMetrics;
import ai.coditect.shared.tokens.AccessToken;
import ai.coditect.shared.tokens.InvalidTokenException;
import ai.coditect.shared.tokens.TokenVerifier;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs before every request and every WebSocket upgrade on the public port: only the workspace's owner, with a
 * valid token of an active session, gets through. The token comes from {@code Authorization: Bearer} or the
 * {@code coditect_token} cookie, which is set (and the token removed from the URL) when a page is first opened
 * with {@code ?access_token=}. An upgrade is refused before any backend connection is opened; an accepted one
 * gets its backend connection here, so a backend that is down is a 502 rather than a dead socket.
 */
public final class Gatekeeper implements Filter {
    private final TokenVerifier verifier;
    private final SessionChecker sessions;
    private final String ownerUserId;
    private final String ownerTenantId;
    private final Set<String> allowedOrigins;
    private final int maxConnections;
    private final WebSocketBridges bridges;
    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    public Gatekeeper(TokenVerifier verifier, SessionChecker sessions, String ownerUserId, String ownerTenantId,
                      Set<String> allowedOrigins, int maxConnections, WebSocketBridges bridges, OpenSockets sockets,
                      ActivityReporter activity, SidecarMetrics metrics, Clock clock) {
        this.verifier = verifier;
        this.sessions = sessions;
        this.ownerUserId = ownerUserId;
        this.ownerTenantId = ownerTenantId;
        this.allowedOrigins = allowedOrigins;
        this.maxConnections = maxConnections;
        this.bridges = bridges;
        this.sockets = sockets;
        this.activity = activity;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (draining) {
            res.header(HeaderNames.CONNECTION, "close");
            Problems.send(res, 503, "shutting_down", "The workspace is shutting down.");
            return;
        }
        inFlight.incrementAndGet();
        try {
            admit(chain, req, res);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void admit(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        boolean upgrade = req.headers().first(HeaderNames.UPGRADE)
                .map(u -> u.equalsIgnoreCase("websocket")).orElse(false);
        String method = req.prologue().method().text();
        Optional<String> queryToken = req.query().contains("access_token")
                ? Optional.of(req.query().getRaw("access_token")) : Optional.empty();
        if (!upgrade && method.equals("GET") && queryToken.isPresent()) {
            setCookieAndRedirect(req, res, URLDecoder.decode(queryToken.get(), StandardCharsets.UTF_8));
            return;
        }
        Credentials credentials = authenticate(req, res);
        if (credentials == null) {
            return;
        }
        if (sockets.count() + inFlight.get() - 1 >= maxConnections) {
            refuse(res, 503, "too_many_connections", "This workspace has too many open connections.");
            return;
        }
        if (!upgrade) {
            activity.touch();
            chain.proceed();
            return;
        }
        if (!originAllowed(req)) {
            refuse(res, 403, "origin_not_allowed", "WebSocket connections from this origin are not allowed.");
            return;
        }
        try {
            bridges.connect(req, credentials);
        } catch (WebSocketBridges.BackendUnavailable e) {
            Problems.send(res, e.status(), "backend_unavailable", e.getMessage());
            return;
        }
        try {
            activity.touch();
            chain.proceed();
        } finally {
            bridges.discardUntaken();
        }
    }

    /** The verified, owned, active credentials of {@code req}, or null after sending the refusal. */
    private Credentials authenticate(ServerRequest req, RoutingResponse res) {
        return check(bearer(req).orElseGet(() -> ForwardedHeaders.sidecarCookie(
                String.join("; ", req.headers().values(HeaderNames.COOKIE)))), res);
    }

    /** {@code token} as credentials of the owner's active session, or null after sending the refusal. */
    private Credentials check(String token, RoutingResponse res) {
        if (token == null || token.isBlank()) {
            refuse(res, 401, "token_invalid", "Sign in first: no access token was sent.");
            return null;
        }
        AccessToken verified;
        try {
            verified = verifier.verify(token);
        } catch (InvalidTokenException e) {
            if (e.reason() == InvalidTokenException.Reason.EXPIRED) {
                refuse(res, 401, "session_expired", "The session has expired; sign in again.");
            } else {
                refuse(res, 401, "token_invalid", "The access token is not valid.");
            }
            return null;
        }
        if (!ownerUserId.equals(verified.userId()) || !ownerTenantId.equals(verified.tenantId())) {
            refuse(res, 403, "not_workspace_owner", "This workspace belongs to someone else.");
            return null;
        }
        SessionChecker.State state = sessions.check(verified, token);
        switch (state) {
            case ACTIVE -> {
                return new Credentials(verified, token);
            }
            case REVOKED -> refuse(res, 401, "session_revoked", "The session was logged out; sign in again.");
            case EXPIRED -> refuse(res, 401, "session_expired", "The session has expired; sign in again.");
            case INVALID -> refuse(res, 401, "token_invalid", "The access token is not valid.");
            case UNAVAILABLE -> refuse(res, 503, "session_check_unavailable",
                    "The session could not be checked right now; try again in a moment.");
            default -> throw new IllegalStateException(state.name());
        }
        return null;
    }

    private static Optional<String> bearer(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim());
    }

    private void setCookieAndRedirect(RoutingRequest req, RoutingResponse res, String token) {
        Credentials credentials = check(token, res);
        if (credentials == null) {
            return;
        }
        long maxAge = Math.max(0, Duration.between(clock.instant(), credentials.token().expiresAt()).toSeconds());
        StringBuilder cookie = new StringBuilder(ForwardedHeaders.SIDECAR_COOKIE).append('=').append(token)
                .append("; Path=/; Max-Age=").append(maxAge).append("; HttpOnly; SameSite=Strict");
        if (ai.coditect.sidecar.bridge.HttpForwarder.isHttps(req)) {
            cookie.append("; Secure");
        }
        res.status(Status.FOUND_302);
        res.header(HeaderNames.SET_COOKIE, cookie.toString());
        res.header(HeaderNames.LOCATION, withoutAccessToken(req));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.send();
    }

    /** The request's path and query, without {@code access_token}. */
    static String withoutAccessToken(ServerRequest req) {
        StringJoiner kept = new StringJoiner("&");
        String raw = req.query().rawValue();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (!pair.isEmpty() && !pair.equals("access_token") && !pair.startsWith("access_token=")) {
                    kept.add(pair);
                }
            }
        }
        String path = req.path().rawPath();
        return kept.length() == 0 ? path : path + "?" + kept;
    }

    private boolean originAllowed(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return true; // not a browser: the token is what counts
        }
        String o = origin.get().toLowerCase(Locale.ROOT);
        if (!allowedOrigins.isEmpty()) {
            return allowedOrigins.contains(o);
        }
        try {
            URI u = URI.create(o);
            String host = req.headers().first(HeaderNames.HOST).orElse("").toLowerCase(Locale.ROOT);
            int port = u.getPort() != -1 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 80);
            return host.equals(u.getHost() + ":" + port) || (host.equals(u.getHost()) && u.getPort() == -1);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void refuse(RoutingResponse res, int status, String code, String detail) {
        metrics.refused(code);
        if (status == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"coditect\", error=\"invalid_token\"");
        }
        Problems.send(res, status, code, detail);
    }

    /** Stops admitting requests; those in flight finish. */
    public void drain() {
        draining = true;
    }

    public int inFlight() {
        return inFlight.get();
    }
}
