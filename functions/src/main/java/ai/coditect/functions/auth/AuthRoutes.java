package ai.coditect.functions.auth;

import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.JsonBody;
import ai.coditect.functions.http.Refusals;
import ai.coditect.functions.http.Routes;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code /v1/auth/*} routes of the HTTP contract, translated to and from {@link AuthService}. */
public final class AuthRoutes {
    private static final int DEFAULT_PAGE = SessionPolicy.DEFAULT_MAX_PER_USER;
    private static final int MAX_PAGE = 100;
    private static final Refusals<AuthException> REFUSALS = Refusals.of(AuthException.class, AuthRoutes::problem);

    private final AuthService auth;
    private final Clock clock;
    private final int forwardedHop;
    private final Authentication authentication;
    private final Routes routes;
    /** The session check's answers, encoded once per session, user and last access (one per active session). */
    private final EncodedAnswers<SessionAnswer> sessionAnswers = new EncodedAnswers<>(Json::bytes, 10_000);

    public AuthRoutes(AuthService auth, Clock clock, int forwardedHop) {
        this.auth = auth;
        this.clock = clock;
        this.forwardedHop = forwardedHop;
        this.authentication = Authentication.of(auth);
        this.routes = Routes.builder()
                .post("/v1/auth/signup", this::signup)
                .post("/v1/auth/login", this::login)
                .get("/v1/auth/session", this::session)
                .get("/v1/auth/sessions", this::sessions)
                .delete("/v1/auth/sessions/{id}", this::revoke)
                .post("/v1/auth/logout", this::logout)
                .post("/v1/auth/logout-all", this::logoutAll)
                .delete("/v1/account", this::deleteAccount)
                .build();
    }

    public Routes routes() {
        return routes;
    }

    AuthService service() {
        return auth;
    }

    private void signup(HttpCall call) {
        JsonBody body = call.jsonBody();
        String email = body.requiredString("email", "invalid_email");
        String password = body.requiredString("password", "weak_password");
        String name = body.optionalString("name");
        AuthService.SignedIn in = REFUSALS.call(() -> auth.signup(email, password, name, call.userAgent(),
                call.clientAddress(forwardedHop)));
        Map<String, Object> out = signedIn(in);
        out.put("workspace", Map.of("status", "requested"));
        call.json(201, out);
    }

    private void login(HttpCall call) {
        JsonBody body = call.jsonBody();
        String email = body.requiredString("email", "invalid_email");
        String password = body.requiredString("password", "malformed_json");
        AuthService.SignedIn in = REFUSALS.call(() -> auth.login(email, password, call.userAgent(),
                call.clientAddress(forwardedHop)));
        call.json(200, signedIn(in));
    }

    private Map<String, Object> signedIn(AuthService.SignedIn in) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", user(in.user()));
        out.put("session", session(in.session(), in.lastAccessAt()));
        out.put("accessToken", in.accessToken());
        out.put("tokenType", "Bearer");
        out.put("expiresIn", Math.max(0, Duration.between(clock.instant(), in.session().expiresAt()).toSeconds()));
        return out;
    }

    private void session(HttpCall call) {
        AuthService.Caller caller = caller(call);
        SessionAnswer answer = new SessionAnswer(session(caller.session(), caller.lastAccessAt()), user(caller.user()));
        call.encodedJson(200, sessionAnswers.encode(caller.session().id(), answer));
    }

    /** The answer to a session check. Records rather than maps: Jackson resolves their serializers once per type. */
    record SessionAnswer(SessionView session, UserView user) {
    }

    /** A session as the contract shows it. */
    record SessionView(String id, String userId, String tenantId, Instant createdAt, Instant expiresAt,
                       Instant idleExpiresAt, Instant lastAccessAt) {
    }

    /** A user as the contract shows it ({@code name} left out when there is none). */
    record UserView(String id, String tenantId, String email, String name, Instant createdAt) {
    }

    private void sessions(HttpCall call) {
        AuthService.Caller caller = caller(call);
        int limit = limit(call);
        String cursor = call.queryParameter("cursor").orElse(null);
        if (cursor != null && !Ids.isWellFormed(cursor)) {
            throw new ApiException(400, "invalid_cursor", "cursor must be the nextCursor of a previous page.");
        }
        AuthService.SessionPage page = auth.sessions(caller, limit, cursor);
        List<Map<String, Object>> list = page.sessions().stream().map(s -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", s.session().id());
            item.put("createdAt", s.session().createdAt());
            item.put("lastAccessAt", s.lastAccessAt());
            item.put("userAgent", s.session().userAgent());
            item.put("current", s.session().id().equals(caller.session().id()));
            return item;
        }).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessions", list);
        out.put("nextCursor", page.nextCursor());
        call.json(200, out);
    }

    private static int limit(HttpCall call) {
        String value = call.queryParameter("limit").orElse(null);
        if (value == null) {
            return DEFAULT_PAGE;
        }
        if (value.matches("[0-9]{1,3}")) {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        }
        throw new ApiException(400, "invalid_limit", "limit must be a whole number from 1 to " + MAX_PAGE + ".");
    }

    private void revoke(HttpCall call) {
        AuthService.Caller caller = caller(call);
        REFUSALS.run(() -> auth.revoke(caller, call.pathParameter("id")));
        call.noContent();
    }

    private void logout(HttpCall call) {
        AuthService.Caller caller = caller(call);
        auth.logout(caller);
        call.noContent();
    }

    private void logoutAll(HttpCall call) {
        AuthService.Caller caller = caller(call);
        auth.logoutAll(caller);
        call.noContent();
    }

    private void deleteAccount(HttpCall call) {
        AuthService.Caller caller = caller(call);
        String password = call.jsonBody().requiredString("password", "malformed_json");
        REFUSALS.run(() -> auth.deleteAccount(caller, password, call.clientAddress(forwardedHop)));
        call.json(202, Map.of("status", "deleting"));
    }

    private AuthService.Caller caller(HttpCall call) {
        return authentication.caller(call);
    }

    private SessionView session(Session s, Instant lastAccessAt) {
        Instant idle = auth.idleExpiry(lastAccessAt);
        return new SessionView(s.id(), s.userId(), s.tenantId(), s.createdAt(), s.expiresAt(),
                idle.isBefore(s.expiresAt()) ? idle : s.expiresAt(), lastAccessAt);
    }

    private static UserView user(User u) {
        return new UserView(u.id(), u.tenantId(), u.email(), u.name(), u.createdAt());
    }

    /** An auth refusal as the contract's status and problem code. */
    static ApiException problem(AuthException e) {
        return switch (e.reason()) {
            case INVALID_EMAIL, WEAK_PASSWORD -> new ApiException(400, e.reason().code(), e.getMessage());
            case EMAIL_TAKEN -> new ApiException(409, e.reason().code(), e.getMessage());
            case INVALID_CREDENTIALS -> new ApiException(401, e.reason().code(), e.getMessage());
            case RATE_LIMITED -> new ApiException(429, e.reason().code(), e.getMessage(),
                    Map.of("Retry-After", Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000))));
            case TOKEN_INVALID, SESSION_EXPIRED, SESSION_REVOKED -> new ApiException(401, e.reason().code(),
                    e.getMessage(), Map.of("WWW-Authenticate", "Bearer realm=\"coditect\", error=\"invalid_token\""));
            case SESSION_NOT_FOUND -> new ApiException(404, e.reason().code(), e.getMessage());
            case BUSY -> new ApiException(503, e.reason().code(), e.getMessage(),
                    Map.of("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds()))));
        };
    }
}
