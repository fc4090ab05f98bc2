package ai.coditect.functions.events;

import ai.coditect.functions.local.InvokerServer;
import ai.coditect.functions.testing.PubSubEmulator;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/Sub push as production delivers it: the emulator's push subscription POSTs the plain push body to a
 * {@link PubSubFunction} in the real Functions Framework invoker, which deduces the HTTP signature from the class
 * (production sets only FUNCTION_TARGET). The answer is the acknowledgement.
 */
class PubSubPushTest {
    private static PubSubEmulator emulator;
    private static InvokerServer server;
    private final TestClock clock = TestClock.atNow();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private PubSubConnection pubsub;

    @BeforeAll
    static void start() throws Exception {
        emulator = PubSubEmulator.start();
        server = InvokerServer.start(Path.of(System.getProperty("coditect.invoker.jar")), TestPlatform.freePort(),
                PushCountingFunction.class, null);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        emulator.close();
    }

    @BeforeEach
    void connect() {
        pubsub = PubSubConnection.open("test-" + Ids.newId().substring(0, 12), emulator.hostPort());
        PubSubTopology.ensurePush(pubsub, Topic.CLEANUP_TICKS, "consumer", 10, Duration.ofMillis(100),
                Duration.ofMillis(500), function());
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        pubsub.close();
    }

    private static URI function() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    private static int invocations(Event event) {
        var count = PushCountingFunction.INVOCATIONS.get(event.id());
        return count == null ? 0 : count.get();
    }

    @Test
    void aPushedEventIsRetriedAfterAFailureAndItsEffectHappensOnce() throws Exception {
        PubSubEventPublisher publisher = new PubSubEventPublisher(pubsub, Duration.ofSeconds(10));
        open.add(publisher);
        long before = PushCountingFunction.effects();
        Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        publisher.publish(tick).get(10, TimeUnit.SECONDS);
        Eventually.holds(Duration.ofSeconds(60), () -> invocations(tick) >= 2, "the second delivery came");
        // The barrier: a second event, published once the first succeeded, goes through its own two deliveries;
        // a third delivery of the first would have come by then (its redelivery backoff is no longer).
        Event barrier = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        publisher.publish(barrier).get(10, TimeUnit.SECONDS);
        Eventually.holds(Duration.ofSeconds(60), () -> invocations(barrier) >= 2, "the barrier event came through");
        assertEquals(2, invocations(tick), "the 204 acknowledged it: no delivery after the one that succeeded");
        assertEquals(2, PushCountingFunction.effects() - before, "each event's effect happened once");
    }

    @Test
    void aPoisonMessageIsRefusedWith4xxAndDeadLettered() throws Exception {
        String poison = "{\"id\":\"p-" + Ids.newId() + "\",\"type\":\"workspace.teleport.requested\",\"version\":1,"
                + "\"occurredAt\":\"2026-11-29T00:00:00Z\",\"data\":{}}";
        Map<String, String> attributes = Map.of("type", "workspace.teleport.requested", "id", "p-1");

        HttpResponse<String> direct = post(pushBody(poison, attributes), "application/json");
        assertEquals(400, direct.statusCode(), direct.body());
        assertEquals("application/problem+json", direct.headers().firstValue("Content-Type").orElse(""));

        Set<String> deadLettered = ConcurrentHashMap.newKeySet();
        var inspect = pubsub.subscriber(PubSubTopology.deadLetterSubscriptionId(Topic.CLEANUP_TICKS),
                (message, reply) -> {
                    deadLettered.add(message.getData().toString(StandardCharsets.UTF_8));
                    reply.ack();
                }).build();
        inspect.startAsync().awaitRunning();
        open.add(() -> inspect.stopAsync().awaitTerminated());
        Publisher raw = pubsub.publisher(pubsub.topic(Topic.CLEANUP_TICKS)).build();
        raw.publish(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8(poison)).putAllAttributes(attributes)
                .build()).get(10, TimeUnit.SECONDS);
        raw.shutdown();
        Eventually.holds(Duration.ofSeconds(90), () -> deadLettered.contains(poison),
                "the poison message was dead-lettered after " + PubSubTopology.MAX_DELIVERY_ATTEMPTS + " attempts");
    }

    @Test
    void aDeliveryThatIsNotAPushBodyIsRefusedWithAClear4xx() throws Exception {
        assertEquals(400, post("{\"message\":{\"data\":\"not base64!\"}}", "application/json").statusCode());
        assertEquals(400, post("{\"subscription\":\"s\"}", "application/json").statusCode());
        assertEquals(400, post("{not json", "application/json").statusCode());
        assertEquals(400, post("[1,2]", "application/json").statusCode());
        HttpResponse<String> text = post("hello", "text/plain");
        assertEquals(415, text.statusCode());
        assertTrue(text.body().contains("unsupported_media_type"), text.body());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(function()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
    }

    private HttpResponse<String> post(String body, String contentType) throws Exception {
        return http.send(HttpRequest.newBuilder(function()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body a push subscription POSTs. */
    static String pushBody(String data, Map<String, String> attributes) {
        return new String(Json.bytes(Map.of(
                "message", Map.of("data", Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)),
                        "attributes", attributes, "messageId", "m-" + Ids.newId(),
                        "publishTime", "2026-11-29T00:00:00Z"),
                "subscription", "projects/p/subscriptions/cleanup-ticks-cleanup")), StandardCharsets.UTF_8);
    }
}
