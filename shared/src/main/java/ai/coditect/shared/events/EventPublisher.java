package ai.coditect.shared.events;

import java.util.concurrent.CompletableFuture;

/**
 * Publishes events to their topic. Delivery is at least once: consumers must be idempotent. Implementations:
 * Google Cloud Pub/Sub, and the in-process bus of the local platform.
 */
public interface EventPublisher extends AutoCloseable {
    /** Completes with the message id once the event is accepted by the broker, or fails. */
    CompletableFuture<String> publish(Event event);

    /** Stops accepting events and delivers what is pending, waiting a bounded time. */
    @Override
    void close();
}
