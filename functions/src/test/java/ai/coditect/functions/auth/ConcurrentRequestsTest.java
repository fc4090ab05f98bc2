package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Many requests of one session at once: none fails for a conflict, and the last access is the latest. */
class ConcurrentRequestsTest {
    private final TestClock clock = TestClock.atNow();
    private final TestPlatform platform = TestPlatform.start(clock, SessionPolicy.DEFAULT);

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void twoHundredConcurrentRequestsOnOneSessionAllSucceedAndTheLatestAccessWins() throws Exception {
        var signedIn = platform.signup("busy@example.com", "correct horse battery staple");
        String token = signedIn.get("accessToken").asText();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(pool.submit(() -> {
                go.await();
                // a minute apart, so every request is due to record its access (see lastAccessGranularity)
                clock.advance(java.time.Duration.ofMinutes(1));
                return platform.get("/v1/auth/session", token);
            }));
        }
        go.countDown();
        Instant latest = Instant.EPOCH;
        for (Future<Reply> f : replies) {
            Reply r = f.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r.body());
            Instant seen = Instant.parse(r.json().at("/session/lastAccessAt").asText());
            latest = seen.isAfter(latest) ? seen : latest;
        }
        pool.shutdown();
        Keyspace keys = platform.platform().keyspace();
        String tid = signedIn.at("/user/tenantId").asText();
        String sid = signedIn.at("/session/id").asText();
        long stored = Keyspace.millis(platform.platform().database()
                .read(tr -> tr.get(keys.sessionLastAccess(tid, sid)).join()));
        assertEquals(latest.toEpochMilli(), stored, "lastAccessAt is the latest request's time");
        assertEquals(clock.millis(), stored, "and that is the last time the clock showed");
    }
}
