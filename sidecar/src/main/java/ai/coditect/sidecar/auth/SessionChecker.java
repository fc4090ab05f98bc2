package ai.coditect.sidecar.auth;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.tokens.AccessToken;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the platform whether a token's session is still active ({@code GET /v1/auth/session}), because a valid
 * signature alone is never enough. Answers are cached per session: an active one for up to 30 seconds, any
 * other for up to 5, so revocation reaches the workspace within that time; concurrent checks of one session
 * share one request.
 */
public final class SessionChecker {
    /** What the platform said of a session. */
    public enum State {
        ACTIVE, REVOKED, EXPIRED, INVALID,
        /** The platform could not be asked; nothing is known. */
        UNAVAILABLE
    }

    private record Answer(State state, Instant validUntil) {
    }

    private final HttpClient http;
    private final URI sessionUrl;
    private final Clock clock;
    private final Duration activeFor;
    private final Duration inactiveFor;
    private final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<State>> asking = new ConcurrentHashMap<>();

    public SessionChecker(HttpClient http, URI sessionUrl, Clock clock, Duration activeFor, Duration inactiveFor) {
        this.http = http;
        this.sessionUrl = sessionUrl;
        this.clock = clock;
        this.activeFor = activeFor;
        this.inactiveFor = inactiveFor;
    }

    public State check(AccessToken token, String rawToken) {
        Answer cached = answers.get(token.sessionId());
        if (cached != null && clock.instant().isBefore(cached.validUntil())) {
            return cached.state();
        }
        CompletableFuture<State> mine = new CompletableFuture<>();
        CompletableFuture<State> inFlight = asking.putIfAbsent(token.sessionId(), mine);
        if (inFlight != null) {
            return await(inFlight);
        }
        try {
            State state = ask(rawToken);
            Duration ttl = state == State.ACTIVE ? activeFor : inactiveFor;
            answers.put(token.sessionId(), new Answer(state, clock.instant().plus(ttl)));
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

    private State ask(String rawToken) {
        HttpRequest request = HttpRequest.newBuilder(sessionUrl)
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + rawToken)
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 200) {
                return State.ACTIVE;
            }
            if (response.statusCode() == 401) {
                String code = Json.tree(response.body()).path("code").asText("");
                return switch (code) {
                    case "session_revoked" -> State.REVOKED;
                    case "session_expired" -> State.EXPIRED;
                    default -> State.INVALID;
                };
            }
            return State.UNAVAILABLE;
        } catch (IOException | RuntimeException e) {
            return State.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return State.UNAVAILABLE;
        }
    }
}
