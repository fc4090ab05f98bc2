package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.KeyValue;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signup, login, sessions and logout end to end over HTTP through the Functions Framework invoker. */
class AuthFlowTest {
    private static final String PASSWORD = "correct horse battery staple";
    private final TestClock clock = TestClock.atNow();
    private TestPlatform platform = TestPlatform.start(clock, new SessionPolicy(Duration.ofHours(12), Duration.ofHours(2)));

    @AfterEach
    void stop() {
        platform.close();
    }

    private static String token(JsonNode signedIn) {
        return signedIn.get("accessToken").asText();
    }

    @Test
    void signupLoginSessionListLogoutAndTheTokenIsRefusedAfterwards() throws Exception {
        List<String> requested = new CopyOnWriteArrayList<>();
        platform.bus().subscribe(Topic.WORKSPACE_REQUESTS, "test", (e, attempt) -> requested.add(e.type() + "/" + e.userId()));

        Reply signup = platform.post("/v1/auth/signup",
                "{\"email\":\"  Ada.Lovelace@Example.COM \",\"password\":\"" + PASSWORD + "\",\"name\":\"Ada\"}", null);
        assertEquals(201, signup.status(), signup.body());
        JsonNode body = signup.json();
        assertEquals("ada.lovelace@example.com", body.at("/user/email").asText());
        assertEquals("Ada", body.at("/user/name").asText());
        assertEquals("Bearer", body.get("tokenType").asText());
        assertEquals(12 * 3600, body.get("expiresIn").asLong());
        assertEquals("requested", body.at("/workspace/status").asText());
        assertFalse(body.has("passwordHash") || body.get("user").has("passwordHash"));
        assertEquals("no-store", signup.header("Cache-Control"));
        String userId = body.at("/user/id").asText();

        JsonNode login = platform.login("ada.lovelace@example.com", PASSWORD);
        String token = token(login);
        assertEquals(userId, login.at("/user/id").asText());

        Reply session = platform.get("/v1/auth/session", token);
        assertEquals(200, session.status(), session.body());
        assertEquals(login.at("/session/id").asText(), session.json().at("/session/id").asText());
        assertEquals(body.at("/user/tenantId").asText(), session.json().at("/session/tenantId").asText());

        Reply list = platform.get("/v1/auth/sessions", token);
        assertEquals(200, list.status());
        JsonNode sessions = list.json().get("sessions");
        assertEquals(2, sessions.size(), "the signup session and the login session");
        assertEquals(1, countCurrent(sessions));

        assertEquals(204, platform.post("/v1/auth/logout", null, token).status());
        Reply after = platform.get("/v1/auth/session", token);
        assertEquals(401, after.status());
        assertEquals("session_revoked", after.code());
        assertEquals(200, platform.get("/v1/auth/session", token(body)).status(), "the other session lives on");
        Eventually.holds(Duration.ofSeconds(10),
                () -> requested.equals(List.of(EventType.WORKSPACE_PROVISION_REQUESTED.wireName() + "/" + userId)),
                () -> "signup requested exactly one workspace: " + requested);
    }

    private static int countCurrent(JsonNode sessions) {
        int n = 0;
        for (JsonNode s : sessions) {
            n += s.get("current").asBoolean() ? 1 : 0;
        }
        return n;
    }

    @Test
    void logoutAllFromOneSessionEndsEveryOther() {
        JsonNode first = platform.signup("grace@example.com", PASSWORD);
        JsonNode second = platform.login("grace@example.com", PASSWORD);
        JsonNode third = platform.login("grace@example.com", PASSWORD);
        JsonNode someoneElse = platform.signup("linus@example.com", PASSWORD);

        assertEquals(204, platform.post("/v1/auth/logout-all", null, token(second)).status());
        for (JsonNode s : List.of(first, second, third)) {
            Reply r = platform.get("/v1/auth/session", token(s));
            assertEquals(401, r.status());
            assertEquals("session_revoked", r.code());
        }
        assertEquals(200, platform.get("/v1/auth/session", token(someoneElse)).status());
    }

    @Test
    void aSessionIdleLongerThanTheIdleTimeoutIsExpired() {
        String token = token(platform.signup("idle@example.com", PASSWORD));
        clock.advance(Duration.ofMinutes(119));
        assertEquals(200, platform.get("/v1/auth/session", token).status(), "activity resets the idle timer");
        clock.advance(Duration.ofMinutes(119));
        assertEquals(200, platform.get("/v1/auth/session", token).status());
        clock.advance(Duration.ofMinutes(121));
        Reply r = platform.get("/v1/auth/session", token);
        assertEquals(401, r.status());
        assertEquals("session_expired", r.code());
    }

    @Test
    void aSessionPastItsAbsoluteLifetimeIsExpiredEvenWhenActive() {
        String token = token(platform.signup("busy@example.com", PASSWORD));
        for (int hour = 0; hour < 11; hour++) {
            clock.advance(Duration.ofHours(1));
            assertEquals(200, platform.get("/v1/auth/session", token).status());
        }
        clock.advance(Duration.ofMinutes(59));
        assertEquals(200, platform.get("/v1/auth/session", token).status());
        clock.advance(Duration.ofMinutes(1));
        Reply r = platform.get("/v1/auth/session", token);
        assertEquals(401, r.status());
        assertEquals("session_expired", r.code());
    }

    @Test
    void theSessionReportsItsIdleExpiryAndTheExpiryIndexHoldsEverySession() {
        Instant start = clock.instant();
        JsonNode signup = platform.signup("index@example.com", PASSWORD);
        clock.advance(Duration.ofMinutes(10));
        JsonNode login = platform.login("index@example.com", PASSWORD);
        clock.advance(Duration.ofMinutes(5));
        JsonNode session = platform.get("/v1/auth/session", token(login)).json().get("session");
        assertEquals(Instant.parse(session.get("lastAccessAt").asText()).plus(Duration.ofHours(2)),
                Instant.parse(session.get("idleExpiresAt").asText()));

        Keyspace keys = platform.platform().keyspace();
        List<Keyspace.ExpiryEntry> index = platform.platform().database().read(tr -> tr
                .getRange(keys.sessionExpiryBefore(Long.MAX_VALUE)).asList().join().stream()
                .map(KeyValue::getKey).map(keys::sessionExpiryEntry).toList());
        assertEquals(2, index.size());
        assertEquals(signup.at("/session/id").asText(), index.get(0).sessionId());
        assertEquals(start.plus(Duration.ofHours(12)).toEpochMilli(), index.get(0).expiresAtMillis(), 1);
        assertEquals(login.at("/session/id").asText(), index.get(1).sessionId());
        assertEquals(Instant.parse(login.at("/session/expiresAt").asText()).toEpochMilli(), index.get(1).expiresAtMillis());
    }

    @Test
    void aSecondSignupWithTheSameEmailIsRefused() {
        platform.signup("taken@example.com", PASSWORD);
        Reply again = platform.post("/v1/auth/signup",
                "{\"email\":\"TAKEN@example.com \",\"password\":\"another long password\"}", null);
        assertEquals(409, again.status());
        assertEquals("email_taken", again.code());
    }

    @Test
    void wrongPasswordAndUnknownEmailLookTheSame() {
        platform.signup("known@example.com", PASSWORD);
        Reply wrong = platform.post("/v1/auth/login", "{\"email\":\"known@example.com\",\"password\":\"wrong password!!\"}", null);
        Reply unknown = platform.post("/v1/auth/login", "{\"email\":\"nobody@example.com\",\"password\":\"wrong password!!\"}", null);
        assertEquals(401, wrong.status());
        assertEquals(401, unknown.status());
        assertEquals(wrong.json(), unknown.json());
        assertEquals("invalid_credentials", unknown.code());
    }

    @Test
    void fiveFailedLoginsFromOneAddressLockTheEmailThereUntilTheWindowPasses() {
        platform.signup("target@example.com", PASSWORD);
        for (int i = 0; i < 5; i++) {
            Reply r = platform.post("/v1/auth/login", "{\"email\":\"target@example.com\",\"password\":\"guess number " + i + "\"}", null);
            assertEquals(401, r.status(), "attempt " + (i + 1));
        }
        clock.advance(Duration.ofMinutes(5));
        Reply locked = platform.post("/v1/auth/login", "{\"email\":\"target@example.com\",\"password\":\"" + PASSWORD + "\"}", null);
        assertEquals(429, locked.status());
        assertEquals("rate_limited", locked.code());
        assertEquals(Long.toString(Duration.ofMinutes(10).toSeconds()), locked.header("Retry-After"));

        clock.advance(Duration.ofMinutes(10));
        assertEquals(200, platform.post("/v1/auth/login", "{\"email\":\"target@example.com\",\"password\":\"" + PASSWORD + "\"}", null).status(),
                "the window has passed");
        for (int i = 0; i < 4; i++) {
            platform.post("/v1/auth/login", "{\"email\":\"target@example.com\",\"password\":\"again wrong " + i + "\"}", null);
        }
        assertEquals(200, platform.post("/v1/auth/login", "{\"email\":\"target@example.com\",\"password\":\"" + PASSWORD + "\"}", null).status(),
                "a success starts the count over");
    }

    private Reply loginFrom(String forwardedFor, String email, String password) {
        return platform.send(platform.builder("/v1/auth/login", null)
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", forwardedFor)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}")));
    }

    @Test
    void aFloodOfWrongPasswordsFromOneAddressDoesNotStopTheOwnerLoggingInFromAnother() {
        platform.signup("owner@example.com", PASSWORD);
        int refused = 0;
        for (int i = 0; i < 40; i++) {
            Reply r = loginFrom("198.51.100.66", "owner@example.com", "guess number " + i);
            assertTrue(r.status() == 401 || r.status() == 429, r.body());
            refused += r.status() == 429 ? 1 : 0;
        }
        assertEquals(35, refused, "five guesses, then that address is refused for this email");

        Reply owner = loginFrom("203.0.113.5", "owner@example.com", PASSWORD);
        assertEquals(200, owner.status(), owner.body());
    }

    @Test
    void wrongPasswordsForManyEmailsFromOneAddressAreCutOffPerAddress() {
        for (int i = 0; i < 100; i++) {
            assertEquals(401, loginFrom("198.51.100.77", "nobody" + i + "@example.com", "guess").status());
        }
        Reply limited = loginFrom("198.51.100.77", "nobody-else@example.com", "guess");
        assertEquals(429, limited.status(), limited.body());
        assertEquals("rate_limited", limited.code());
        assertEquals(401, loginFrom("198.51.100.78", "nobody-else@example.com", "guess").status(),
                "another address is not limited");
    }

    @Test
    void failuresFromManyAddressesSlowTheOwnerDownButNeverLockThemOut() {
        platform.signup("popular@example.com", PASSWORD);
        for (int i = 0; i < 20; i++) {
            assertEquals(401, loginFrom("198.51.100." + i, "popular@example.com", "guess").status());
        }
        Reply paused = loginFrom("203.0.113.5", "popular@example.com", PASSWORD);
        assertEquals(429, paused.status(), paused.body());
        long retryAfter = Long.parseLong(paused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= LoginPolicy.MAX_PAUSE.toSeconds(), "a pause, not a lock: " + retryAfter);

        clock.advance(Duration.ofSeconds(retryAfter));
        assertEquals(200, loginFrom("203.0.113.5", "popular@example.com", PASSWORD).status(), "the owner gets in");
    }

    private Reply signupFrom(String forwardedFor, String email) {
        return platform.send(platform.builder("/v1/auth/signup", null)
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", forwardedFor)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}")));
    }

    @Test
    void twentySignupsFromOneAddressInAnHourThenRateLimitedWhateverTheClientClaims() {
        // Google's front end appends the real address; what stands left of it is the client's own invention.
        for (int i = 0; i < 20; i++) {
            Reply r = signupFrom("198.51.100." + i + ", 203.0.113.7", "user" + i + "@example.com");
            assertEquals(201, r.status(), "signup " + (i + 1) + ": " + r.body());
        }
        clock.advance(Duration.ofMinutes(20));
        Reply limited = signupFrom("10.9.8.7, 203.0.113.7", "one-more@example.com");
        assertEquals(429, limited.status(), limited.body());
        assertEquals("rate_limited", limited.code());
        assertEquals(Long.toString(Duration.ofMinutes(40).toSeconds()), limited.header("Retry-After"));
        assertEquals(409, signupFrom("203.0.113.8", "user0@example.com").status(),
                "another address is not limited, and a taken email is still refused as such");

        clock.advance(Duration.ofMinutes(40));
        assertEquals(201, signupFrom("203.0.113.7", "one-more@example.com").status(),
                "the window has passed, and the refused signup had created nothing (else: 409)");
    }

    @Test
    void takenEmailsCountTooSoSignupCannotProbeForAccountsWithoutLimit() {
        platform.signup("someone@example.com", PASSWORD);
        for (int i = 0; i < 20; i++) {
            assertEquals(409, signupFrom("203.0.113.9", "someone@example.com").status());
        }
        assertEquals(429, signupFrom("203.0.113.9", "someone@example.com").status());
    }

    @Test
    void unknownEmailsAreLockedOutToo() {
        for (int i = 0; i < 5; i++) {
            platform.post("/v1/auth/login", "{\"email\":\"ghost@example.com\",\"password\":\"guess number " + i + "\"}", null);
        }
        assertEquals(429, platform.post("/v1/auth/login", "{\"email\":\"ghost@example.com\",\"password\":\"guess number x\"}", null).status(),
                "a lockout that only known emails got would reveal which emails exist");
    }

    @Test
    void theJwksHoldsPublicKeysOnly() throws Exception {
        Reply r = platform.get("/.well-known/jwks.json", null);
        assertEquals(200, r.status());
        JsonNode key = r.json().get("keys").get(0);
        assertEquals("RSA", key.get("kty").asText());
        assertEquals(platform.signingKeys().signingKey().getKeyID(), key.get("kid").asText());
        for (String privatePart : List.of("d", "p", "q", "dp", "dq", "qi")) {
            assertFalse(key.has(privatePart), privatePart);
        }
        assertEquals("public, max-age=300", r.header("Cache-Control"));
    }
}
