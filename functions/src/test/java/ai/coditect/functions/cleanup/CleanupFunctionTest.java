package ai.coditect.functions.cleanup;

import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.functions.local.InvokerServer;
import ai.coditect.functions.testing.PubSubEmulator;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventCodec;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cleanup function as it runs in production: a {@code cleanup.tick} published on Pub/Sub (the emulator)
 * reaches {@code CleanupFunction} in the Functions Framework invoker through the Eventarc stand-in, and expired
 * sessions disappear from the store while the HTTP functions keep serving; and the same tick as the body a
 * Pub/Sub push subscription POSTs, which production delivers.
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

    @Test
    void aPushDeliveryOfATickDeletesExpiredSessionsAndIsAcknowledged() throws Exception {
        TestClock clock = TestClock.atNow();
        try (TestPlatform platform = TestPlatform.start(clock, SessionPolicy.DEFAULT);
             // as in production: only the class is named, and the invoker deduces its signature from it
             InvokerServer cleanup = InvokerServer.start(Path.of(System.getProperty("coditect.invoker.jar")),
                     TestPlatform.freePort(), mounted(platform), null)) {
            JsonNode old = platform.signup("old@example.com", "correct horse battery staple");
            clock.advance(Duration.ofHours(12).plusSeconds(1));
            Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
            String push = new String(Json.bytes(Map.of(
                    "message", Map.of("data", Base64.getEncoder().encodeToString(tick.toJson()),
                            "attributes", EventCodec.attributes(tick), "messageId", "1",
                            "publishTime", clock.instant().toString()),
                    "subscription", "projects/p/subscriptions/cleanup-ticks-cleanup")), StandardCharsets.UTF_8);

            HttpResponse<String> answer = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cleanup.port() + "/"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(push)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(204, answer.statusCode(), "a 2xx acknowledges the push: " + answer.body());
            Keyspace keys = platform.platform().keyspace();
            String tid = old.at("/user/tenantId").asText();
            String sid = old.at("/session/id").asText();
            assertNull(platform.platform().database().read(tr -> tr.get(keys.session(tid, sid)).join()),
                    "the expired session was deleted");
        }
    }

    private static Class<?> mounted(TestPlatform platform) {
        MountedCleanupFunction.consumer = platform.platform().cleanup().consumer();
        return MountedCleanupFunction.class;
    }
}
