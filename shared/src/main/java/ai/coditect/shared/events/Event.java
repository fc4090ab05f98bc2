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

    public byte[] toJson() {
        return Json.bytes(this);
    }

    /** The ordering key of this event: the user id where its type needs order, else none. */
    public String orderingKey() {
        return EventType.fromWireName(type).filter(EventType::orderedPerUser).map(t -> userId).orElse("");
    }
}
