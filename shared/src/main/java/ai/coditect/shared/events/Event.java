package ai.coditect.shared.events;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.time.Clock;
import java.time.Instant;

/**
 * The envelope of every event, the JSON body of every Pub/Sub message:
 * {@code {id, type, version, occurredAt, tenantId, userId, data}}. {@code type} and {@code id} are also message
 * attributes; the user id is the ordering key of types that need order.
 */
@JsonPropertyOrder({"id", "type", "version", "occurredAt", "tenantId", "userId", "data"})
public record Event(String id, String type, int version, Instant occurredAt, String tenantId, String userId,
                    JsonNode data) {

    public static Event of(EventType type, String tenantId, String userId, Object data, Clock clock) {
        JsonNode node = data == null ? JsonNodeFactory.instance.objectNode() : Json.mapper().valueToTree(data);
        return new Event(Ids.newId(), type.wireName(), type.version(), clock.instant(), tenantId, userId, node);
    }

    /** An event whose id is derived from what it is about, so that publishing it twice is one event. */
    public static Event withId(String id, EventType type, String tenantId, String userId, Object data, Clock clock) {
        Event e = of(type, tenantId, userId, data, clock);
        return new Event(id, e.type(), e.version(), e.occurredAt(), tenantId, userId, e.data());
    }

    public EventType eventType() {
        return EventType.fromWireName(type).orElseThrow(() ->
                new UnprocessableEventException("unknown event type '" + type + "'"));
    }

    public byte[] toJson() {
        return Json.bytes(this);
    }

    /** The ordering key of this event: the user id where its type needs order, else none. */
    public String orderingKey() {
        return EventType.fromWireName(type).filter(EventType::orderedPerUser).map(t -> userId).orElse("");
    }
}
