package ai.coditect.sidecar.auth;

import ai.coditect.shared.testing.TestClock;
import ai.coditect.sidecar.SidecarConfig;
import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A revoked session stops being served within {@link SidecarConfig#REVOCATION_BOUND}, on open WebSockets (closed
 * with 1008) and on plain HTTP, with the default configuration. Time is the sidecar's own clock, moved by the test
 * in 100 ms steps, with the sidecar's due work run after each step: no test waits for time to pass.
 */
class RevocationTest {
    private static final Duration STEP = Duration.ofMillis(100);
    private final TestClock clock = TestClock.atNow();
    private SidecarFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private void step() {
        clock.advance(STEP);
        fixture.sidecar.runDueTasks();
    }

    @Test
    void aRevokedSessionsOpenSocketsAreClosedWith1008WithinFiveSeconds() throws Exception {
        socketOfRevokedSessionIsClosedInTime(env -> env);
    }

    @Test
    void socketsAreAskedAboutAfreshNotFromTheCacheWhateverTheTwoIntervals() throws Exception {
        // re-checks every 3 s of a 4 s cache: reading the cache, a revocation would go unseen for up to 6 s
        socketOfRevokedSessionIsClosedInTime(env -> {
            env.put("CODITECT_SESSION_RECHECK", "3s");
            return env;
        });
    }

    private void socketOfRevokedSessionIsClosedInTime(
            java.util.function.UnaryOperator<java.util.Map<String, String>> environment) throws Exception {
        fixture = SidecarFixture.start(environment, clock);
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/socket", recorder);
        ws.sendText("still here", true);
        assertEquals("still here", recorder.nextText());

        // the worst moment to revoke: just after the sidecar asked about the session
        int checks = fixture.platform.sessionChecks.get();
        for (int i = 0; i < 600 && fixture.platform.sessionChecks.get() == checks; i++) {
            step();
        }
        assertTrue(fixture.platform.sessionChecks.get() > checks, "open sockets' sessions are checked periodically");
        Instant revokedAt = clock.instant();
        fixture.platform.end(fixture.session, "session_revoked");

        Duration closedAfter = null;
        for (int i = 0; i < 600 && closedAfter == null; i++) {
            step();
            if (fixture.sidecar.sockets().count() == 0) {
                closedAfter = Duration.between(revokedAt, clock.instant());
            }
        }
        assertNotNull(closedAfter, "the socket of the revoked session was closed");
        System.out.printf("revoked session's socket closed %d ms (sidecar clock) after the revocation%n",
                closedAfter.toMillis());
        assertTrue(closedAfter.compareTo(SidecarConfig.REVOCATION_BOUND) <= 0, "closed after " + closedAfter);
        assertEquals("1008:session revoked", recorder.closed.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aRevokedSessionsPlainRequestsAreRefusedWithinFiveSeconds() throws Exception {
        fixture = SidecarFixture.start(env -> env, clock);
        String token = fixture.token();
        assertEquals(200, fixture.get("/index.html", token).statusCode());
        // revoked right after the sidecar heard "active": the cached answer is the whole delay
        Instant revokedAt = clock.instant();
        fixture.platform.end(fixture.session, "session_revoked");

        Duration refusedAfter = null;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 600 && refusedAfter == null; i++) {
            step();
            HttpResponse<String> r = fixture.get("/index.html", token);
            if (r.statusCode() != 200) {
                refused = r;
                refusedAfter = Duration.between(revokedAt, clock.instant());
            }
        }
        assertNotNull(refusedAfter, "requests of the revoked session were refused");
        System.out.printf("revoked session's requests refused %d ms (sidecar clock) after the revocation%n",
                refusedAfter.toMillis());
        assertTrue(refusedAfter.compareTo(SidecarConfig.REVOCATION_BOUND) <= 0, "refused after " + refusedAfter);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("session_revoked"), refused.body());
    }

    @Test
    void aRequestThatLearnsOfTheRevocationClosesTheSessionsSocketsAtOnce() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_SESSION_CACHE_ACTIVE", "3s"); // runs out before the 4 s re-check is due
            return env;
        }, clock);
        Recorder recorder = new Recorder();
        fixture.connect("/socket", recorder);
        fixture.platform.end(fixture.session, "session_revoked");
        clock.advance(Duration.ofSeconds(3)); // the cached "active" has run out; no periodic work is due
        assertEquals(401, fixture.get("/index.html", fixture.token()).statusCode());
        assertEquals(0, fixture.sidecar.sockets().count(), "closed by the request that heard the news");
        assertEquals("1008:session revoked", recorder.closed.get(30, TimeUnit.SECONDS));
    }
}
