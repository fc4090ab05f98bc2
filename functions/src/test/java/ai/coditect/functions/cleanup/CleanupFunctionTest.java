package ai.coditect.functions.cleanup;

import ai.coditect.functions.testing.PubSubEmulator;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cleanup function as it runs in production: a {@code cleanup.tick} published on Pub/Sub (the emulator)
 * reaches {@code CleanupFunction} in the Functions Framework invoker through the Eventarc stand-in, and expired
 * sessions disappear from the store while the HTTP functions keep serving.
 */
class CleanupFunctionTest {
    private static PubSubEmulator emulator;

    @BeforeAll
    static void startEmulator() throws Exception {
        emulator = PubSubEmulator.start();
    }

    @AfterAll
    static void stopEmulator() throws Exception {
        emulator.close();
    }

    @Test
    void aTickOnPubSubDeletesExpiredSessions() throws Exception {
        TestClock clock = TestClock.atNow();
        try (TestPlatform platform = TestPlatform.startWithPubSub(clock, emulator)) {
            JsonNode old = platform.signup("old@example.com", "correct horse battery staple");
            clock.advance(Duration.ofHours(11));
            JsonNode fresh = platform.signup("fresh@example.com", "correct horse battery staple");
            clock.advance(Duration.ofHours(1).plusSeconds(1));

            platform.platform().events().publish(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock))
                    .get(10, TimeUnit.SECONDS);

            Keyspace keys = platform.platform().keyspace();
            String tid = old.at("/user/tenantId").asText();
            String sid = old.at("/session/id").asText();
            Eventually.holds(Duration.ofSeconds(30),
                    () -> platform.platform().database().read(tr -> tr.get(keys.session(tid, sid)).join()) == null,
                    "the expired session was deleted through Pub/Sub");
            assertEquals(200, platform.get("/v1/auth/session", fresh.get("accessToken").asText()).status());
            assertEquals(401, platform.get("/v1/auth/session", old.get("accessToken").asText()).status());
        }
    }
}
