package ai.coditect.sidecar.auth;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.tokens.AccessToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks the platform whether a token's session is still active ({@code GET /v1/auth/session}), because a valid
 * signature alone is never enough. Only an answer that names the token's own session and user counts as active;
 * anything else refuses. Answers are cached per session, counted from when the question was sent, so a plain
 * request is served at most {@code activeFor} after a revocation; concurrent checks of one session share one
 * request, and "could not ask" is never cached.
 */
public final class SessionChecker {
    private static final Logger LOG = Logger.getLogger(SessionChecker.class.getName());

    /** What the platform said of a session. */
    public enum State {
        ACTIVE, REVOKED, EXPIRED, INVALID,
        /** The platform could not be asked; nothing is known. */
        UNAVAILABLE;

        /** True for answers that end a session for good: its sockets are closed. */
        public boolean ended() {
            return this == REVOKED || this == EXPIRED || this == INVALID;
        }
    }

    private record Answer(State state, Instant validUntil) {
    }

    private final Supplier<HttpClient> http;
    private final URI sessionUrl;
    private final Clock clock;
    private final Duration activeFor;
    private final Duration inactiveFor;
    private final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<State>> asking = new ConcurrentHashMap<>();

    public SessionChecker(Supplier<HttpClient> http, URI sessionUrl, Clock clock, Duration activeFor,
                          Duration inactiveFor) {
        this.http = http;
        this.sessionUrl = sessionUrl;
        this.clock = clock;
        this.activeFor = activeFor;
        this.inactiveFor = inactiveFor;
    }

    /** The session's state, from the cache while the last answer is fresh. */
    public State check(AccessToken token, String rawToken) {
        State cached = cached(token);
        return cached != null ? cached : ask(token, rawToken, true);
    }

    /** Asks the platform now, whatever the cache holds, and caches the answer. */
    public State refresh(AccessToken token, String rawToken) {
        return ask(token, rawToken, false);
    }

    private State cached(AccessToken token) {
        Answer a = answers.get(token.sessionId());
        return a != null && clock.instant().isBefore(a.validUntil()) ? a.state() : null;
    }

    private State ask(AccessToken token, String rawToken, boolean cacheWillDo) {
        CompletableFuture<State> mine = new CompletableFuture<>();
        CompletableFuture<State> inFlight = asking.putIfAbsent(token.sessionId(), mine);
        if (inFlight != null) {
            return await(inFlight);
        }
        try {
            State fresh = cacheWillDo ? cached(token) : null;
            if (fresh != null) {
                // another request's question was answered between our look at the cache and now
                mine.complete(fresh);
                return fresh;
            }
            Instant askedAt = clock.instant();
            State state = askPlatform(token, rawToken);
            if (state != State.UNAVAILABLE) {
                Duration ttl = state == State.ACTIVE ? activeFor : inactiveFor;
                answers.put(token.sessionId(), new Answer(state, askedAt.plus(ttl)));
            } else {
                answers.remove(token.sessionId());
            }
            mine.complete(state);
            return state;
        } catch (RuntimeException e) {
            mine.complete(State.UNAVAILABLE);
            throw e;
        } finally {
            asking.remove(token.sessionId(), mine);
        }
    }

    /** Forgets answers that have run out, so sessions that went away do not accumulate. */
    public void forgetExpired() {
        Instant now = clock.instant();
        answers.values().removeIf(a -> !now.isBefore(a.validUntil()));
    }

    private static State await(CompletableFuture<State> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return State.UNAVAILABLE;
        } catch (ExecutionException | TimeoutException e) {
            return State.UNAVAILABLE;
        }
    }

    private State askPlatform(AccessToken token, String rawToken) {
        HttpRequest request = HttpRequest.newBuilder(sessionUrl)
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + rawToken)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.get().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | RuntimeException e) {
            return State.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return State.UNAVAILABLE;
        }
        return switch (response.statusCode()) {
            case 200 -> confirmed(token, response.body());
            case 401 -> switch (problemCode(response.body())) {
                case "session_revoked" -> State.REVOKED;
                case "session_expired" -> State.EXPIRED;
                default -> State.INVALID;
            };
            default -> State.UNAVAILABLE;
        };
    }

    /**
     * A 200 admits only when its body names the token's own session and user (and tenant and status, where it
     * says them): an empty or unreadable body, or one about another session, is a platform fault and refuses.
     */
    static State confirmed(AccessToken token, byte[] body) {
        JsonNode session;
        try {
            session = Json.tree(body).path("session");
        } catch (RuntimeException e) {
            return unconfirmed(token, "unreadable answer");
        }
        if (!session.isObject()) {
            return unconfirmed(token, "no session in the answer");
        }
        if (!token.sessionId().equals(text(session, "id")) || !token.userId().equals(text(session, "userId"))) {
            return unconfirmed(token, "the answer is about another session or user");
        }
        String tenant = text(session, "tenantId");
        if (tenant != null && !tenant.equals(token.tenantId())) {
            return unconfirmed(token, "the answer is about another tenant");
        }
        String status = text(session, "status");
        if (status == null || status.equalsIgnoreCase("active")) {
            return State.ACTIVE;
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "revoked" -> State.REVOKED;
            case "expired" -> State.EXPIRED;
            default -> State.INVALID;
        };
    }

    private static State unconfirmed(AccessToken token, String why) {
        LogFields.of("sessionId", token.sessionId(), "why", why).log(LOG, Level.WARNING,
                "the platform answered 200 without confirming the session; refused");
        return State.INVALID;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static String problemCode(byte[] body) {
        try {
            return Json.tree(body).path("code").asText("");
        } catch (RuntimeException e) {
            return "";
        }
    }
}
