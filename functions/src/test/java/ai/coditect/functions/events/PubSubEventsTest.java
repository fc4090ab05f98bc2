package ai.coditect.functions.events;

import ai.coditect.functions.local.InvokerServer;
import ai.coditect.functions.testing.PubSubEmulator;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Events through the real Pub/Sub emulator: the publisher, the subscriptions with their dead-letter policy, the
 * Eventarc stand-in, and functions served by the real Functions Framework invoker. Every test works in a project
 * of its own on one emulator.
 */
class PubSubEventsTest {
    private static PubSubEmulator emulator;
    private final TestClock clock = TestClock.atNow();
    private final List<AutoCloseable> open = new ArrayList<>();
    private PubSubConnection pubsub;

    @BeforeAll
    static void startEmulator() throws Exception {
        emulator = PubSubEmulator.start();
    }

    @AfterAll
    static void stopEmulator() throws Exception {
        emulator.close();
    }

    @BeforeEach
    void connect() {
        pubsub = PubSubConnection.open("test-" + Ids.newId().substring(0, 12), emulator.hostPort());
        PubSubTopology.ensure(pubsub, Topic.CLEANUP_TICKS, "consumer", 10, Duration.ofMillis(100),
                Duration.ofMillis(500));
        PubSubTopology.ensure(pubsub, Topic.WORKSPACE_REQUESTS, "consumer", 10, Duration.ofMillis(100),
                Duration.ofMillis(500));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        pubsub.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        open.add(resource);
        return resource;
    }

    private void serve(Class<?> function, Topic topic) throws Exception {
        InvokerServer server = keep(InvokerServer.start(Path.of(System.getProperty("coditect.invoker.jar")),
                TestPlatform.freePort(), function, "cloudevent"));
        keep(EventarcBridge.start(pubsub, topic.id(), PubSubTopology.subscriptionId(topic, "consumer"),
                URI.create("http://127.0.0.1:" + server.port() + "/")));
    }

    @Test
    void aPublishedEventReachesTheFunctionWithItsExactPayload() throws Exception {
        RecordingFunction.RECEIVED.clear();
        serve(RecordingFunction.class, Topic.WORKSPACE_REQUESTS);
        PubSubEventPublisher publisher = keep(new PubSubEventPublisher(pubsub, Duration.ofSeconds(10)));
        Event sent = Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, "tenant-1", "user-1",
                Map.of("plan", "standard", "note", "ünïcödé ✓"), clock);
        assertNotNull(publisher.publish(sent).get(10, TimeUnit.SECONDS));
        Event received = RecordingFunction.RECEIVED.poll(30, TimeUnit.SECONDS);
        assertEquals(sent, received);
    }

    @Test
    void aConsumerThatFailsTwiceIsInvokedThreeTimesAndItsEffectHappensOnce() throws Exception {
        serve(FlakyFunction.class, Topic.CLEANUP_TICKS);
        PubSubEventPublisher publisher = keep(new PubSubEventPublisher(pubsub, Duration.ofSeconds(10)));
        long before = Keyspace.millis(FlakyFunction.DB.read(tr -> tr.get(FlakyFunction.COUNTER).join()));
        Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        publisher.publish(tick).get(10, TimeUnit.SECONDS);
        Eventually.holds(Duration.ofSeconds(60), () -> invocations(tick) >= 3, "the third delivery came");
        // The barrier: a second event, published once the first succeeded, goes through its own three deliveries;
        // a fourth delivery of the first would have come by then (its redelivery backoff is shorter).
        Event barrier = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        publisher.publish(barrier).get(10, TimeUnit.SECONDS);
        Eventually.holds(Duration.ofSeconds(60), () -> invocations(barrier) >= 3, "the barrier event came through");
        assertEquals(3, invocations(tick), "no delivery after the one that succeeded");
        long after = Keyspace.millis(FlakyFunction.DB.read(tr -> tr.get(FlakyFunction.COUNTER).join()));
        assertEquals(2, after - before, "each event's effect happened once");
    }

    @Test
    void aPoisonMessageEndsInTheDeadLetterTopic() throws Exception {
        RecordingFunction.RECEIVED.clear();
        serve(RecordingFunction.class, Topic.CLEANUP_TICKS);
        Publisher raw = pubsub.publisher(pubsub.topic(Topic.CLEANUP_TICKS)).build();
        String poison = "{\"id\":\"p-1\",\"type\":\"workspace.teleport.requested\",\"version\":1,"
                + "\"occurredAt\":\"2026-11-29T00:00:00Z\",\"data\":{}}";
        raw.publish(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8(poison))
                .putAttributes("type", "workspace.teleport.requested").putAttributes("id", "p-1").build())
                .get(10, TimeUnit.SECONDS);
        raw.shutdown();
        Set<String> deadLettered = ConcurrentHashMap.newKeySet();
        keep(asCloseable(pubsub.subscriber(
                PubSubTopology.deadLetterSubscriptionId(Topic.CLEANUP_TICKS), (message, reply) -> {
                    deadLettered.add(message.getData().toString(StandardCharsets.UTF_8));
                    reply.ack();
                }).build()));
        Eventually.holds(Duration.ofSeconds(90), () -> deadLettered.contains(poison),
                "the poison message was dead-lettered after " + PubSubTopology.MAX_DELIVERY_ATTEMPTS + " attempts");
        assertTrue(RecordingFunction.RECEIVED.isEmpty(), "nothing was handled");
    }

    @Test
    void everyEventPublishedDuringShutdownIsDeliveredOrItsCallerGetsAnError() throws Exception {
        PubSubEventPublisher publisher = new PubSubEventPublisher(pubsub, Duration.ofSeconds(20));
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        keep(asCloseable(pubsub.subscriber(PubSubTopology.subscriptionId(Topic.WORKSPACE_REQUESTS, "consumer"),
                (message, reply) -> {
                    delivered.add(message.getAttributesOrThrow("id"));
                    reply.ack();
                }).build()));
        List<Event> sent = new ArrayList<>();
        List<CompletableFuture<String>> results = new ArrayList<>();
        Thread closer = new Thread(publisher::close);
        for (int i = 0; i < 3_000; i++) {
            Event e = Event.of(EventType.WORKSPACE_STOP_REQUESTED, "t", "user-" + (i % 50), Map.of("n", i), clock);
            sent.add(e);
            results.add(publisher.publish(e));
            if (i == 1_500) {
                closer.start();
            }
        }
        closer.join();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int failed = 0;
        for (int i = 0; i < sent.size(); i++) {
            try {
                results.get(i).get(30, TimeUnit.SECONDS);
                acknowledged.add(sent.get(i).id());
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
            }
        }
        System.out.printf("publisher shutdown: %d published, %d refused with an error%n", acknowledged.size(), failed);
        assertEquals(sent.size(), acknowledged.size() + failed, "every publish completed one way or the other");
        Eventually.holds(Duration.ofSeconds(60), () -> delivered.containsAll(acknowledged),
                () -> "missing: " + (acknowledged.size() - delivered.size()));
        assertThrows(java.util.concurrent.ExecutionException.class, () -> publisher.publish(sent.getFirst())
                .get(5, TimeUnit.SECONDS), "a closed publisher refuses");
    }

    private static int invocations(Event event) {
        java.util.concurrent.atomic.AtomicInteger n = FlakyFunction.INVOCATIONS.get(event.id());
        return n == null ? 0 : n.get();
    }

    private static AutoCloseable asCloseable(Subscriber subscriber) {
        subscriber.startAsync().awaitRunning();
        return () -> subscriber.stopAsync().awaitTerminated();
    }
}
