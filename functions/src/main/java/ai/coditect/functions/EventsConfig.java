package ai.coditect.functions;

import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.PubSubConnection;
import ai.coditect.functions.events.PubSubEventPublisher;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where events go: Google Cloud Pub/Sub in {@code gcpProject} (the emulator at {@code emulatorHost} when set),
 * or the in-process bus when {@code gcpProject} is null (local platform without an emulator).
 */
public record EventsConfig(String gcpProject, String emulatorHost, Duration publishTimeout, Duration relayInterval) {
    /** How long a publish is retried before its event is left in the outbox for a later relay. */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    /** How often the local platform relays what the outbox still holds. */
    public static final Duration DEFAULT_RELAY_INTERVAL = Duration.ofSeconds(5);
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");

    public EventsConfig(String gcpProject, String emulatorHost) {
        this(gcpProject, emulatorHost, DEFAULT_PUBLISH_TIMEOUT, DEFAULT_RELAY_INTERVAL);
    }

    public EventsConfig {
        // The Pub/Sub client refuses to give up sooner than after 10 s.
        if (publishTimeout.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("CODITECT_PUBLISH_TIMEOUT must be at least 10s; got "
                    + publishTimeout.toSeconds() + "s. e.g. CODITECT_PUBLISH_TIMEOUT=10s");
        }
        if (relayInterval.isNegative()) {
            throw new IllegalArgumentException("CODITECT_OUTBOX_RELAY_INTERVAL must not be negative (0: off). "
                    + "e.g. CODITECT_OUTBOX_RELAY_INTERVAL=5s");
        }
        if (emulatorHost != null && !HOST_PORT.matcher(emulatorHost).matches()) {
            throw new IllegalArgumentException("PUBSUB_EMULATOR_HOST must be host:port; got '" + emulatorHost
                    + "'. e.g. PUBSUB_EMULATOR_HOST=127.0.0.1:8085");
        }
    }

    /**
     * A deployed function publishes to the project of {@code CODITECT_GCP_PROJECT} (or {@code GOOGLE_CLOUD_PROJECT});
     * the local platform uses its in-process bus unless {@code PUBSUB_EMULATOR_HOST} names an emulator.
     */
    public static EventsConfig read(Environment env, Defaults defaults) {
        Optional<String> emulator = env.get("PUBSUB_EMULATOR_HOST");
        String project;
        if (defaults.localEvents()) {
            project = emulator.isEmpty() ? null : env.get("CODITECT_GCP_PROJECT", "coditect-local");
        } else {
            project = env.get("CODITECT_GCP_PROJECT").or(() -> env.get("GOOGLE_CLOUD_PROJECT"))
                    .orElseThrow(() -> new IllegalArgumentException("Set CODITECT_GCP_PROJECT: the project of the "
                            + "Pub/Sub topics. e.g. CODITECT_GCP_PROJECT=coditect-prod"));
        }
        return new EventsConfig(project, emulator.orElse(null),
                env.duration("CODITECT_PUBLISH_TIMEOUT", DEFAULT_PUBLISH_TIMEOUT),
                env.durationOrZero("CODITECT_OUTBOX_RELAY_INTERVAL", DEFAULT_RELAY_INTERVAL));
    }

    public boolean pubSub() {
        return gcpProject != null;
    }

    /**
     * The publisher this configuration names: Pub/Sub, or a new in-process bus. Pub/Sub is connected at the first
     * event, so a function whose first request publishes nothing starts without loading gRPC.
     */
    public EventPublisher publisher(Clock clock) {
        if (!pubSub()) {
            return InProcessEventBus.withDefaults(clock);
        }
        return new OnFirstEvent(() -> new PubSubEventPublisher(PubSubConnection.open(gcpProject, emulatorHost),
                Duration.ofSeconds(20), publishTimeout));
    }

    /** A publisher opened when the first event is published; one that could not be opened fails that event. */
    private static final class OnFirstEvent implements EventPublisher {
        private final Supplier<EventPublisher> open;
        private EventPublisher opened;
        private boolean closed;

        OnFirstEvent(Supplier<EventPublisher> open) {
            this.open = open;
        }

        @Override
        public CompletableFuture<String> publish(Event event) {
            EventPublisher publisher;
            synchronized (this) {
                if (closed) {
                    return CompletableFuture.failedFuture(new IllegalStateException("the publisher is closed"));
                }
                if (opened == null) {
                    try {
                        opened = open.get();
                    } catch (RuntimeException e) {
                        return CompletableFuture.failedFuture(e); // the outbox keeps the event for a later relay
                    }
                }
                publisher = opened;
            }
            return publisher.publish(event);
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (opened != null) {
                opened.close();
            }
        }
    }
}
