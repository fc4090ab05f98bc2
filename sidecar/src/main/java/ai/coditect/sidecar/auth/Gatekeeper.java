package ai.coditect.sidecar.auth;

import ai.coditect.shared.tokens.AccessToken;
import ai.coditect.shared.tokens.InvalidTokenException;
import ai.coditect.shared.tokens.TokenVerifier;
import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.bridge.ForwardedHeaders;
import ai.coditect.sidecar.bridge.OpenSockets;
import ai.coditect.sidecar.bridge.Problems;
import ai.coditect.sidecar.bridge.Targets;
import ai.coditect.sidecar.bridge.WebSocketBridges;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Runs before every request and every WebSocket upgrade on the public port: only origin-form requests of the
 * workspace's owner, with a valid token of an active session, get through. The token comes from
 * {@code Authorization: Bearer} or this workspace's cookie, which the landing page of an "open IDE" link
 * ({@code ?access_token=}) sets. An upgrade is refused before any backend connection is opened; an accepted one
 * gets its backend connection here, so a backend that is down is a 502 rather than a dead socket.
 */
public final class Gatekeeper implements Filter {
    private static final io.helidon.http.HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    /** What the gatekeeper needs to know of the workspace; all of it from configuration. */
    public record Policy(String ownerUserId, String ownerTenantId, Set<String> allowedOrigins, int maxConnections,
                         String cookieName, String cookieSameSite, boolean https, Optional<String> webOrigin) {
        /** Only the workspace itself (Theia's webviews) and the web app's {@code /ide} page may frame it. */
        String frameAncestors() {
            return "frame-ancestors 'self'" + webOrigin.map(o -> " " + o).orElse("");
        }
    }

    private final TokenVerifier verifier;
    private final SessionChecker sessions;
    private final Policy policy;
    private final WebSocketBridges bridges;
    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final Problems problems;
    private final SidecarMetrics metrics;
    private final Clock clock;
    private final Object idle = new Object();
    private int inFlight;
    private volatile boolean draining;

    public Gatekeeper(TokenVerifier verifier, SessionChecker sessions, Policy policy, WebSocketBridges bridges,
                      OpenSockets sockets, ActivityReporter activity, Problems problems, SidecarMetrics metrics,
                      Clock clock) {
        this.verifier = verifier;
        this.sessions = sessions;
        this.policy = policy;
        this.bridges = bridges;
        this.sockets = sockets;
        this.activity = activity;
        this.problems = problems;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // added when the answer leaves, so that it joins whatever policy Theia sends instead of being replaced
        res.beforeSend(() -> res.headers().add(HeaderValues.create(CSP, policy.frameAncestors())));
        if (!Targets.isOriginForm(req.path().rawPath())) {
            metrics.error("bad_request_target");
            Problems.json(res, 400, "bad_request_target",
                    "Only origin-form request targets (a path starting with /) are served here.");
            return;
        }
        if (draining) {
            res.header(HeaderNames.CONNECTION, "close");
            Problems.json(res, 503, "shutting_down", "The workspace is shutting down.");
            return;
        }
        synchronized (idle) {
            inFlight++;
        }
        try {
            admit(chain, req, res);
        } finally {
            synchronized (idle) {
                inFlight--;
                idle.notifyAll();
            }
        }
    }

    private void admit(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        boolean upgrade = req.headers().first(HeaderNames.UPGRADE)
                .map(u -> u.equalsIgnoreCase("websocket")).orElse(false);
        String method = req.prologue().method().text();
        if (!upgrade && method.equals("GET") && req.query().contains(AccessLink.PARAMETER)) {
            land(req, res);
            return;
        }
        Credentials credentials = authenticate(req, res);
        if (credentials == null) {
            return;
        }
        if (sockets.count() + inFlight() - 1 >= policy.maxConnections()) {
            refuse(req, res, 503, "too_many_connections", "This workspace has too many open connections.");
            return;
        }
        if (!upgrade) {
            activity.touch();
            chain.proceed();
            return;
        }
        if (!originAllowed(req)) {
            refuse(req, res, 403, "origin_not_allowed", "WebSocket connections from this origin are not allowed.");
            return;
        }
        try {
            bridges.connect(req, credentials);
        } catch (WebSocketBridges.BackendUnavailable e) {
            Problems.json(res, e.status(), e.code(), e.getMessage());
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
        Optional<String> bearer = bearer(req);
        if (bearer.isEmpty() && !SAFE_METHODS.contains(req.prologue().method().text()) && !originAllowed(req)) {
            // a cookie rides along with whatever another site makes the browser send: state changes must come
            // from this workspace's own pages
            refuse(req, res, 403, "origin_not_allowed", "Requests that change something must come from this workspace.");
            return null;
        }
        return check(bearer.orElseGet(() -> ownCookie(req)), req, res);
    }

    private String ownCookie(ServerRequest req) {
        return ForwardedHeaders.cookie(String.join("; ", req.headers().values(HeaderNames.COOKIE)), policy.cookieName());
    }

    private String cookie(String token, long maxAge) {
        StringBuilder cookie = new StringBuilder(policy.cookieName()).append('=').append(token)
                .append("; Path=/; Max-Age=").append(maxAge).append("; HttpOnly; SameSite=")
                .append(policy.cookieSameSite());
        if (policy.https()) {
            cookie.append("; Secure");
        }
        if (policy.cookieSameSite().equals("None")) {
            cookie.append("; Partitioned");
        }
        return cookie.toString();
    }

    /** {@code token} as credentials of the owner's active session, or null after sending the refusal. */
    private Credentials check(String token, ServerRequest req, RoutingResponse res) {
        if (token == null || token.isBlank()) {
            refuse(req, res, 401, "token_invalid", "Sign in first: no access token was sent.");
            return null;
        }
        AccessToken verified;
        try {
            verified = verifier.verify(token);
        } catch (InvalidTokenException e) {
            if (e.reason() == InvalidTokenException.Reason.EXPIRED) {
                refuse(req, res, 401, "session_expired", "The session has expired; sign in again.");
            } else {
                refuse(req, res, 401, "token_invalid", "The access token is not valid.");
            }
            return null;
        }
        if (!policy.ownerUserId().equals(verified.userId()) || !policy.ownerTenantId().equals(verified.tenantId())) {
            refuse(req, res, 403, "not_workspace_owner", "This workspace belongs to someone else.");
            return null;
        }
        SessionChecker.State state = sessions.check(verified, token);
        if (state.ended()) {
            // whoever learns first that a session ended closes its sockets; the periodic check is the backstop
            sockets.closeSession(verified.sessionId(), state);
        }
        switch (state) {
            case ACTIVE -> {
                return new Credentials(verified, token);
            }
            case REVOKED -> refuse(req, res, 401, "session_revoked", "The session was logged out; sign in again.");
            case EXPIRED -> refuse(req, res, 401, "session_expired", "The session has expired; sign in again.");
            case INVALID -> refuse(req, res, 401, "token_invalid", "The platform did not confirm this session.");
            case UNAVAILABLE -> refuse(req, res, 503, "session_check_unavailable",
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

    /** The "open IDE" link: a landing page that sets the cookie and goes on to the same path without the token. */
    private void land(RoutingRequest req, RoutingResponse res) {
        Optional<String> target = AccessLink.sameOriginTarget(req.path().rawPath(), req.query().rawValue());
        if (target.isEmpty()) {
            refuse(req, res, 400, "unsafe_redirect", "The link leads off this workspace; it is not followed.");
            return;
        }
        String token = req.query().get(AccessLink.PARAMETER);
        Credentials credentials = check(token, req, res);
        if (credentials == null) {
            return;
        }
        long maxAge = Math.max(0, Duration.between(clock.instant(), credentials.token().expiresAt()).toSeconds());
        res.status(Status.OK_200);
        res.header(HeaderNames.SET_COOKIE, cookie(token, maxAge));
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(CSP, AccessLink.CONTENT_SECURITY_POLICY);
        res.send(AccessLink.page(target.get()).getBytes(StandardCharsets.UTF_8));
    }

    private boolean originAllowed(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return true; // not a browser: the token is what counts
        }
        String o = origin.get().toLowerCase(Locale.ROOT);
        if (!policy.allowedOrigins().isEmpty()) {
            return policy.allowedOrigins().contains(o);
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

    private void refuse(ServerRequest req, RoutingResponse res, int status, String code, String detail) {
        metrics.refused(code);
        if (status == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"coditect\", error=\"invalid_token\"");
            if (bearer(req).isEmpty() && !req.query().contains(AccessLink.PARAMETER) && ownCookie(req) != null) {
                // the cookie's token will never be let in again: no use keeping it in the browser
                res.header(HeaderNames.SET_COOKIE, cookie("", 0));
            }
        }
        problems.send(req, res, status, code, detail);
    }

    /** Stops admitting requests; those in flight finish. */
    public void drain() {
        draining = true;
    }

    public int inFlight() {
        synchronized (idle) {
            return inFlight;
        }
    }

    /** Waits until no request is in flight, or {@code timeout} has passed; true when none is. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }
}
