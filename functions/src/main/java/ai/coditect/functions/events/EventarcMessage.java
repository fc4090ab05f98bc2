package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventCodec;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The Pub/Sub message inside an Eventarc {@code google.cloud.pubsub.topic.v1.messagePublished} CloudEvent:
 * {@code {"message": {"data": <base64>, "attributes": {...}, "messageId", "publishTime"}, "subscription"}}.
 */
public record EventarcMessage(Event event, String messageId, int deliveryAttempt) {
    public static final String TYPE = "google.cloud.pubsub.topic.v1.messagePublished";

    public static EventarcMessage from(CloudEvent cloudEvent) {
        if (!TYPE.equals(cloudEvent.getType())) {
            throw new UnprocessableEventException("not a Pub/Sub CloudEvent: " + cloudEvent.getType());
        }
        if (cloudEvent.getData() == null) {
            throw new UnprocessableEventException("the CloudEvent " + cloudEvent.getId() + " has no data");
        }
        JsonNode envelope;
        try {
            envelope = Json.mapper().readTree(cloudEvent.getData().toBytes());
        } catch (IOException e) {
            throw new UnprocessableEventException("the CloudEvent " + cloudEvent.getId() + " data is not JSON");
        }
        return fromEnvelope(envelope, cloudEvent.getId());
    }

    /**
     * Reads the envelope Pub/Sub pushes and Eventarc wraps: {@code {"message": {...}, "subscription": ...}}, with
     * the delivery attempt where push puts it ({@code deliveryAttempt}, set on dead-lettering subscriptions).
     */
    public static EventarcMessage fromEnvelope(JsonNode envelope, String fallbackId) {
        JsonNode message = envelope == null ? null : envelope.path("message");
        if (message == null || !message.isObject()) {
            throw new UnprocessableEventException("the delivery " + fallbackId + " has no Pub/Sub message");
        }
        String data = message.path("data").asText("");
        byte[] body;
        try {
            body = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new UnprocessableEventException("the message " + fallbackId + " data is not base64");
        }
        Map<String, String> attributes = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = message.path("attributes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            attributes.put(e.getKey(), e.getValue().asText());
        }
        int attempt = envelope.path("deliveryAttempt").asInt(0);
        if (attempt < 1) {
            try {
                attempt = Integer.parseInt(attributes.getOrDefault("googclient_deliveryattempt", "1"));
            } catch (NumberFormatException ignored) {
                // not set by every delivery path; the first attempt is the honest guess
                attempt = 1;
            }
        }
        return new EventarcMessage(EventCodec.decode(body, attributes),
                message.path("messageId").asText(fallbackId), Math.max(1, attempt));
    }
}
