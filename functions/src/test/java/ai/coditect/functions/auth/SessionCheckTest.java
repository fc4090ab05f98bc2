package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The session check of every request: its last access is recorded once per granularity rather than once per
 * request, and a token that verified before is still refused the moment its session ends.
 */
class SessionCheckTest {
    private static final String PASSWORD = "correct horse battery staple";
    private final TestClock clock = TestClock.atNow();
    private final TestPlatform platform = TestPlatform.start(clock, SessionPolicy.DEFAULT);

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void theDefaultPolicyRecordsLastAccessToTheMinute() {
        assertEquals(Duration.ofMinutes(1), SessionPolicy.DEFAULT.lastAccessGranularity());
        assertEquals(Duration.ofSeconds(6),
                new SessionPolicy(Duration.ofHours(1), Duration.ofMinutes(10)).lastAccessGranularity());
    }

    @Test
    void requestsWithinTheGranularityLeaveTheRecordedLastAccessAloneAndTheFirstOneDueMovesIt() {
        JsonNode signedIn = platform.signup("busy@example.com", PASSWORD);
        String token = signedIn.get("accessToken").asText();
        Instant created = Instant.parse(signedIn.at("/session/createdAt").asText());

        clock.advance(Duration.ofSeconds(30));
        Reply early = platform.get("/v1/auth/session", token);
        assertEquals(200, early.status(), early.body());
        assertEquals(created, recordedLastAccess(signedIn), "nothing was written for it");
        assertEquals(created, Instant.parse(early.json().at("/session/lastAccessAt").asText()),
                "and the caller is told the access recorded, from which the session idles out");
        assertEquals(created.plus(SessionPolicy.DEFAULT.idleTimeout()),
                Instant.parse(early.json().at("/session/idleExpiresAt").asText()));

        clock.advance(Duration.ofSeconds(30));
        Reply due = platform.get("/v1/auth/session", token);
        assertEquals(200, due.status());
        assertEquals(clock.instant(), recordedLastAccess(signedIn), "a minute after the recorded access, it moves");
        assertEquals(clock.instant(), Instant.parse(due.json().at("/session/lastAccessAt").asText()),
                "and the caller is told this request's time, now recorded");

        clock.advance(Duration.ofSeconds(59));
        assertEquals(200, platform.get("/v1/auth/session", token).status());
        assertEquals(clock.instant().minusSeconds(59), recordedLastAccess(signedIn));
    }

    @Test
    void aSessionInUseEveryHalfMinuteNeverIdlesOut() {
        JsonNode signedIn = platform.signup("steady@example.com", PASSWORD);
        String token = signedIn.get("accessToken").asText();
        Instant end = clock.instant().plus(Duration.ofHours(2)).plus(Duration.ofMinutes(30));
        while (clock.instant().isBefore(end)) {
            clock.advance(Duration.ofSeconds(30));
            Reply r = platform.get("/v1/auth/session", token);
            assertEquals(200, r.status(), "at " + clock.instant() + ": " + r.body());
        }
        Duration lag = Duration.between(recordedLastAccess(signedIn), clock.instant());
        assertEquals(true, lag.compareTo(SessionPolicy.DEFAULT.lastAccessGranularity()) < 0, "lag " + lag);
    }

    @Test
    void anIdleSessionEndsTheIdleTimeoutAfterItsRecordedAccessSoAtMostAMinuteEarly() {
        String token = platform.signup("idle@example.com", PASSWORD).get("accessToken").asText();
        clock.advance(Duration.ofSeconds(59));
        assertEquals(200, platform.get("/v1/auth/session", token).status()); // within the minute: not recorded
        clock.advance(Duration.ofHours(2).minusSeconds(59).minusMillis(1));
        assertEquals(200, platform.get("/v1/auth/session", token).status(), "two hours after signup, less 1 ms");

        String other = platform.signup("idle2@example.com", PASSWORD).get("accessToken").asText();
        clock.advance(Duration.ofSeconds(59));
        assertEquals(200, platform.get("/v1/auth/session", other).status());
        clock.advance(Duration.ofHours(2).minusSeconds(59));
        Reply r = platform.get("/v1/auth/session", other);
        assertEquals(401, r.status(), "two hours after the recorded access (59 s short of two after the last one)");
        assertEquals("session_expired", r.code());
    }

    @Test
    void aLoggedOutSessionIsRefusedThoughItsTokenVerifiedMomentsBefore() {
        String token = platform.signup("ada@example.com", PASSWORD).get("accessToken").asText();
        assertEquals(200, platform.get("/v1/auth/session", token).status());
        assertEquals(200, platform.get("/v1/auth/session", token).status());
        assertEquals(204, platform.post("/v1/auth/logout", "{}", token).status());
        Reply r = platform.get("/v1/auth/session", token);
        assertEquals(401, r.status());
        assertEquals("session_revoked", r.code());
    }

    @Test
    void aSessionEndedFromAnotherDeviceIsRefusedAtOnce() {
        JsonNode phone = platform.signup("grace@example.com", PASSWORD);
        String phoneToken = phone.get("accessToken").asText();
        String laptopToken = platform.login("grace@example.com", PASSWORD).get("accessToken").asText();
        assertEquals(200, platform.get("/v1/auth/session", phoneToken).status());
        assertEquals(204, platform.delete("/v1/auth/sessions/" + phone.at("/session/id").asText(), laptopToken)
                .status());
        Reply r = platform.get("/v1/auth/session", phoneToken);
        assertEquals(401, r.status());
        assertEquals("session_revoked", r.code());
        assertEquals(200, platform.get("/v1/auth/session", laptopToken).status());
    }

    private Instant recordedLastAccess(JsonNode signedIn) {
        Keyspace keys = platform.platform().keyspace();
        String tid = signedIn.at("/user/tenantId").asText();
        String sid = signedIn.at("/session/id").asText();
        return Instant.ofEpochMilli(Keyspace.millis(platform.platform().database()
                .read(tr -> tr.get(keys.sessionLastAccess(tid, sid)).join())));
    }
}
