package ai.coditect.functions.auth;

import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.JsonBody;
import ai.coditect.functions.http.Routes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code /v1/auth/*} routes of the HTTP contract, translated to and from {@link AuthService}. */
public final class AuthRoutes {
    private final AuthService auth;
    private final Clock clock;
    private final int forwardedHop;
    private final Routes routes;

    public AuthRoutes(AuthService auth, Clock clock, int forwardedHop) {
        this.auth = auth;
        this.clock = clock;
        this.forwardedHop = forwardedHop;
        this.routes = Routes.builder()
                .post("/v1/auth/signup", this::signup)
                .post("/v1/auth/login", this::login)
                .get("/v1/auth/session", this::session)
                .get("/v1/auth/sessions", this::sessions)
                .delete("/v1/auth/sessions/{id}", this::revoke)
                .post("/v1/auth/logout", this::logout)
                .post("/v1/auth/logout-all", this::logoutAll)
                .build();
    }

    public Routes routes() {
        return routes;
    }

    private void signup(HttpCall call) {
        JsonBody body = call.jsonBody();
        String email = body.requiredString("email", "invalid_email");
        String password = body.requiredString("password", "weak_password");
        String name = body.optionalString("name");
        AuthService.SignedIn in = refusals(() -> auth.signup(email, password, name, call.userAgent(),
                call.clientAddress(forwardedHop)));
        Map<String, Object> out = signedIn(in);
        out.put("workspace", Map.of("status", "requested"));
        call.json(201, out);
    }

    private void login(HttpCall call) {
        JsonBody body = call.jsonBody();
        String email = body.requiredString("email", "invalid_email");
        String password = body.requiredString("password", "malformed_json");
        AuthService.SignedIn in = refusals(() -> auth.login(email, password, call.userAgent()));
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
        call.json(200, Map.of("session", session(caller.session(), caller.lastAccessAt()), "user", user(caller.user())));
    }

    private void sessions(HttpCall call) {
        AuthService.Caller caller = caller(call);
        List<Map<String, Object>> list = auth.sessions(caller).stream().map(s -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", s.session().id());
            item.put("createdAt", s.session().createdAt());
            item.put("lastAccessAt", s.lastAccessAt());
            item.put("userAgent", s.session().userAgent());
            item.put("current", s.session().id().equals(caller.session().id()));
            return item;
        }).toList();
        call.json(200, Map.of("sessions", list));
    }

    private void revoke(HttpCall call) {
        AuthService.Caller caller = caller(call);
        refusals(() -> {
            auth.revoke(caller, call.pathParameter("id"));
            return null;
        });
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

    /** The authenticated caller of {@code call}, or a 401 problem. */
    public AuthService.Caller caller(HttpCall call) {
        String token = call.bearerToken().orElseThrow(() -> new ApiException(401, "token_invalid",
                "Send an access token: Authorization: Bearer <token>.",
                Map.of("WWW-Authenticate", "Bearer realm=\"coditect\"")));
        return refusals(() -> auth.authenticate(token));
    }

    private Map<String, Object> session(Session s, Instant lastAccessAt) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("userId", s.userId());
        out.put("tenantId", s.tenantId());
        out.put("createdAt", s.createdAt());
        out.put("expiresAt", s.expiresAt());
        Instant idle = auth.idleExpiry(lastAccessAt);
        out.put("idleExpiresAt", idle.isBefore(s.expiresAt()) ? idle : s.expiresAt());
        out.put("lastAccessAt", lastAccessAt);
        return out;
    }

    private static Map<String, Object> user(User u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", u.id());
        out.put("tenantId", u.tenantId());
        out.put("email", u.email());
        out.put("name", u.name());
        out.put("createdAt", u.createdAt());
        return out;
    }

    private interface Call<T> {
        T run();
    }

    /** Runs {@code call}, turning its refusal into the contract's status and code. */
    private static <T> T refusals(Call<T> call) {
        try {
            return call.run();
        } catch (AuthException e) {
            throw problem(e);
        }
    }

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
        };
    }
}
