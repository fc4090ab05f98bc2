package ai.coditect.bench;

import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.events.PubSubConnection;
import ai.coditect.functions.events.PubSubEventPublisher;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Events: how fast the outbox relays (embedded engine in memory, in-process bus without subscribers), and, when
 * {@code PUBSUB_EMULATOR_HOST} names a running Pub/Sub emulator, how fast the publisher publishes to it with and
 * without ordering keys. Usage: {@code ./coditect bench events [events, default 5000]}.
 */
public final class EventsBenchmark {
    private EventsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        Clock clock = Clock.systemUTC();
        System.out.printf("events, %d cores, JDK %s, %d events per figure%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), n);
        outbox(n, clock);
        String emulator = System.getenv("PUBSUB_EMULATOR_HOST");
        if (emulator == null || emulator.isBlank()) {
            System.out.println("publish to Pub/Sub: skipped; start the emulator and set PUBSUB_EMULATOR_HOST, e.g. "
                    + "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator "
                    + "--host=127.0.0.1 --port=8085 & PUBSUB_EMULATOR_HOST=127.0.0.1:8085 ./coditect bench events");
            return;
        }
        publish(n, clock, emulator);
    }

    /** Events written one per transaction into the outbox, then relayed in batches to the in-process bus. */
    private static void outbox(int n, Clock clock) throws Exception {
        try (Database db = EmbeddedDatabase.inMemory();
             InProcessEventBus bus = InProcessEventBus.withDefaults(clock);
             Outbox outbox = new Outbox(db, Keyspace.open(db, "bench"), bus, Duration.ofSeconds(30),
                     new PrometheusRegistry())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Event e = Event.of(EventType.CLEANUP_TICK, null, null, Map.of("n", i), clock);
                db.run(tr -> {
                    outbox.add(tr, e);
                    return null;
                });
            }
            double written = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            int relayed = 0;
            while (relayed < n) {
                int r = outbox.relay();
                if (r == 0 && outbox.pending() == 0) {
                    break;
                }
                relayed += r;
            }
            double relaying = (System.nanoTime() - t1) / 1e9;
            System.out.printf("outbox: %,.0f commits/s writing one event each; relay %,.0f events/s (%d relayed)%n",
                    n / written, relayed / relaying, relayed);
        }
    }

    /** The publisher against the emulator, per event type: with an ordering key per user, and without. */
    private static void publish(int n, Clock clock, String emulator) throws Exception {
        try (PubSubConnection pubsub = PubSubConnection.open("bench-events", emulator)) {
            // Topics only: a benchmark is no consumer, and a topic without subscriptions accepts what is published.
            try (TopicAdminClient topics = pubsub.topicAdmin()) {
                for (Topic topic : List.of(Topic.CLEANUP_TICKS, Topic.WORKSPACE_REQUESTS)) {
                    try {
                        topics.createTopic(pubsub.topic(topic));
                    } catch (AlreadyExistsException e) {
                        // there from an earlier run
                    }
                }
            }
            PubSubEventPublisher publisher = new PubSubEventPublisher(pubsub, Duration.ofSeconds(20));
            try {
                for (EventType type : List.of(EventType.CLEANUP_TICK, EventType.WORKSPACE_STOP_REQUESTED)) {
                    List<CompletableFuture<String>> results = new ArrayList<>(n);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        results.add(publisher.publish(Event.of(type, "t", "user-" + (i % 100), Map.of("n", i), clock)));
                    }
                    for (CompletableFuture<String> r : results) {
                        r.get(60, TimeUnit.SECONDS);
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("publish to the emulator, %s (%s): %,.0f events/s%n", type.wireName(),
                            type.orderedPerUser() ? "ordering key per user" : "no ordering key", n / seconds);
                }
            } finally {
                publisher.close();
            }
        }
    }
}
