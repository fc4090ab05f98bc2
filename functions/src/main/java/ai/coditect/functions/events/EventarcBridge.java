package ai.coditect.functions.events;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;
import com.google.cloud.pubsub.v1.AckReplyConsumer;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.cloud.pubsub.v1.SubscriberShutdownSettings;
import com.google.pubsub.v1.PubsubMessage;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A local stand-in for Eventarc, for development and tests: pulls a subscription (on the Pub/Sub emulator), turns
 * each message into the binary-mode CloudEvent Eventarc would send, POSTs it to the function served by the
 * Functions Framework invoker, and acks only when the function succeeded.
 */
public final class EventarcBridge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventarcBridge.class.getName());

    private final Subscriber subscriber;

    private EventarcBridge(Subscriber subscriber) {
        this.subscriber = subscriber;
    }

    public static EventarcBridge start(PubSubConnection pubsub, String topicId, String subscriptionId, URI function) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String source = "//pubsub.googleapis.com/projects/" + pubsub.projectId() + "/topics/" + topicId;
        String subscriptionName = pubsub.subscription(subscriptionId).toString();
        Subscriber subscriber = pubsub.subscriber(subscriptionId, (PubsubMessage message, AckReplyConsumer reply) -> {
            try {
                HttpResponse<String> response = http.send(cloudEvent(function, source, subscriptionName, message),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    reply.ack();
                } else {
                    LogFields.of("subscription", subscriptionId, "messageId", message.getMessageId(),
                            "status", response.statusCode()).log(LOG, Level.FINE, "function failed; nacked");
                    reply.nack();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply.nack();
            } catch (Exception e) {
                LogFields.of("subscription", subscriptionId, "messageId", message.getMessageId())
                        .log(LOG, Level.WARNING, "function unreachable; nacked: " + e);
                reply.nack();
            }
        })
                // A stand-in that stops hands back what it took and has not handled, so that it comes again at once
                // rather than when its lease runs out (up to the subscription's ack deadline, 600 s for provisioning).
                .setSubscriberShutdownSettings(SubscriberShutdownSettings.newBuilder()
                        .setMode(SubscriberShutdownSettings.ShutdownMode.NACK_IMMEDIATELY)
                        .setTimeout(Duration.ofSeconds(5))
                        .build())
                .build();
        subscriber.startAsync().awaitRunning();
        return new EventarcBridge(subscriber);
    }

    static HttpRequest cloudEvent(URI function, String source, String subscription, PubsubMessage message) {
        Instant published = Instant.ofEpochSecond(message.getPublishTime().getSeconds(),
                message.getPublishTime().getNanos());
        Map<String, Object> pubsubMessage = new LinkedHashMap<>();
        pubsubMessage.put("data", Base64.getEncoder().encodeToString(message.getData().toByteArray()));
        pubsubMessage.put("attributes", message.getAttributesMap());
        pubsubMessage.put("messageId", message.getMessageId());
        pubsubMessage.put("publishTime", published.toString());
        if (!message.getOrderingKey().isEmpty()) {
            pubsubMessage.put("orderingKey", message.getOrderingKey());
        }
        byte[] body = Json.bytes(Map.of("message", pubsubMessage, "subscription", subscription));
        return HttpRequest.newBuilder(function)
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .header("ce-type", EventarcMessage.TYPE)
                .header("ce-source", source)
                .header("ce-id", message.getMessageId())
                .header("ce-time", published.toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    @Override
    public void close() {
        subscriber.stopAsync();
        try {
            subscriber.awaitTerminated(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warning("the Eventarc stand-in did not stop within 10 s");
        }
    }
}
