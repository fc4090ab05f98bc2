package ai.coditect.shared.events;

import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Reads the envelope of a Pub/Sub message and checks it: well-formed JSON, every field present, a type this
 * platform knows, at a version it can read, and attributes that agree with the body. Anything else is
 * {@link UnprocessableEventException}: no redelivery can make it readable.
 */
public final class EventCodec {
    private EventCodec() {
    }

    /** Message attributes of an event: its type and id, as Pub/Sub filters and logs can see them. */
    public static Map<String, String> attributes(Event event) {
        return Map.of("type", event.type(), "id", event.id(), "version", Integer.toString(event.version()));
    }

    public static Event decode(byte[] data, Map<String, String> attributes) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(data);
        } catch (IOException e) {
            throw new UnprocessableEventException("the message body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new UnprocessableEventException("the message body is not an event envelope");
        }
        String id = text(node, "id");
        String type = text(node, "type");
        EventType known = EventType.fromWireName(type).orElseThrow(() ->
                new UnprocessableEventException("unknown event type '" + type + "' (event " + id + ")"));
        JsonNode version = node.get("version");
        if (version == null || !version.canConvertToInt()) {
            throw new UnprocessableEventException("event " + id + " has no version");
        }
        if (version.asInt() != known.version()) {
            throw new UnprocessableEventException("event " + id + " of type " + type + " has version "
                    + version.asInt() + "; this consumer reads version " + known.version());
        }
        if (attributes != null) {
            String attrType = attributes.get("type");
            String attrId = attributes.get("id");
            if ((attrType != null && !attrType.equals(type)) || (attrId != null && !attrId.equals(id))) {
                throw new UnprocessableEventException("event " + id + ": attributes disagree with the body");
            }
        }
        Instant occurredAt;
        try {
            occurredAt = Instant.parse(text(node, "occurredAt"));
        } catch (DateTimeParseException e) {
            throw new UnprocessableEventException("event " + id + " has an unreadable occurredAt");
        }
        JsonNode payload = node.get("data");
        if (payload == null || !payload.isObject()) {
            throw new UnprocessableEventException("event " + id + " has no data object");
        }
        return new Event(id, type, version.asInt(), occurredAt, optionalText(node, "tenantId"),
                optionalText(node, "userId"), payload);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new UnprocessableEventException("the event has no " + field);
        }
        return v.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
