package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventCodec;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.logging.LogFields;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes events to Google Cloud Pub/Sub: one publisher per topic, batching (up to 100 messages, 1 MB or
 * 10 ms), retries with exponential backoff for up to the publish timeout (a minute unless configured), message ordering by the user id where the event
 * type needs it, and a bounded wait on {@link #close()} that flushes everything still pending. Events published
 * after close fail at once.
 */
public final class PubSubEventPublisher implements EventPublisher {
    private static final Logger LOG = Logger.getLogger(PubSubEventPublisher.class.getName());

    private final PubSubConnection connection;
    private final Duration shutdownWait;
    private final Duration publishTimeout;
    private final Map<Topic, Publisher> publishers = new EnumMap<>(Topic.class);
    private boolean closed;

    public PubSubEventPublisher(PubSubConnection connection, Duration shutdownWait) {
        this(connection, shutdownWait, Duration.ofSeconds(60));
    }

    /** As above, retrying each publish for at most {@code publishTimeout} before it fails. */
    public PubSubEventPublisher(PubSubConnection connection, Duration shutdownWait, Duration publishTimeout) {
        this.connection = connection;
        this.shutdownWait = shutdownWait;
        this.publishTimeout = publishTimeout;
    }

    @Override
    public CompletableFuture<String> publish(Event event) {
        Publisher publisher;
        try {
            publisher = publisher(event.eventType().topic());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        PubsubMessage message = PubsubMessage.newBuilder()
                .setData(ByteString.copyFrom(event.toJson()))
                .putAllAttributes(EventCodec.attributes(event))
                .setOrderingKey(event.orderingKey())
                .build();
        CompletableFuture<String> result = new CompletableFuture<>();
        com.google.api.core.ApiFuture<String> sent;
        try {
            sent = publisher.publish(message);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e); // closed meanwhile
        }
        ApiFutures.addCallback(sent, new ApiFutureCallback<>() {
            @Override
            public void onSuccess(String messageId) {
                result.complete(messageId);
            }

            @Override
            public void onFailure(Throwable t) {
                if (!message.getOrderingKey().isEmpty()) {
                    // A failed publish pauses its ordering key; later events of that user must still go out.
                    publisher.resumePublish(message.getOrderingKey());
                }
                LogFields.of("eventId", event.id(), "type", event.type()).log(LOG, Level.WARNING,
                        "publishing an event failed: " + t);
                result.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    private synchronized Publisher publisher(Topic topic) {
        if (closed) {
            throw new IllegalStateException("the event publisher is closed");
        }
        return publishers.computeIfAbsent(topic, t -> {
            try {
                return connection.publisher(connection.topic(t))
                        .setEnableMessageOrdering(true)
                        .setBatchingSettings(BatchingSettings.newBuilder()
                                .setElementCountThreshold(100L)
                                .setRequestByteThreshold(1_000_000L)
                                .setDelayThresholdDuration(Duration.ofMillis(10))
                                .build())
                        .setRetrySettings(RetrySettings.newBuilder()
                                .setInitialRetryDelayDuration(Duration.ofMillis(100))
                                .setRetryDelayMultiplier(2.0)
                                .setMaxRetryDelayDuration(Duration.ofSeconds(10))
                                .setInitialRpcTimeoutDuration(rpcTimeout())
                                .setRpcTimeoutMultiplier(1.0)
                                .setMaxRpcTimeoutDuration(rpcTimeout())
                                .setTotalTimeoutDuration(publishTimeout)
                                .build())
                        .build();
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a Pub/Sub publisher for " + t.id(), e);
            }
        });
    }

    private Duration rpcTimeout() {
        return publishTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? publishTimeout : Duration.ofSeconds(10);
    }

    /** Stops taking events, then waits (bounded) until every pending event is published or has failed. */
    @Override
    public void close() {
        Map<Topic, Publisher> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = Map.copyOf(publishers);
        }
        long deadline = System.nanoTime() + shutdownWait.toNanos();
        // Publisher.shutdown itself waits for every outstanding message, without a bound (and for ever when an
        // ordering key is stuck), so it runs on threads of its own and the wait for them is bounded here.
        Map<Topic, Thread> stopping = new EnumMap<>(Topic.class);
        open.forEach((topic, p) -> stopping.put(topic, Thread.ofVirtual().name("pubsub-shutdown-" + topic.id())
                .start(() -> {
                    p.shutdown();
                    try {
                        p.awaitTermination(shutdownWait.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })));
        for (Map.Entry<Topic, Thread> e : stopping.entrySet()) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!e.getValue().join(Duration.ofNanos(left))) {
                    LogFields.of("topic", e.getKey().id()).log(LOG, Level.WARNING,
                            "events still pending when the publisher gave up waiting; the outbox keeps them");
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
