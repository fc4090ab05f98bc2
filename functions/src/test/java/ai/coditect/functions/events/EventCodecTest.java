package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventCodec;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.testing.TestClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventCodecTest {
    private final TestClock clock = TestClock.atNow();

    @Test
    void anEventSurvivesTheWireUnchangedWithTypeAndIdAsAttributes() {
        Event e = Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, "t", "u", Map.of("k", "v"), clock);
        Map<String, String> attributes = EventCodec.attributes(e);
        assertEquals(e.type(), attributes.get("type"));
        assertEquals(e.id(), attributes.get("id"));
        assertEquals(e, EventCodec.decode(e.toJson(), attributes));
        assertEquals("u", e.orderingKey());
        assertEquals("", Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock).orderingKey());
        String json = new String(e.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"id\":"), json);
        assertTrue(!json.contains("orderingKey") && !json.contains("eventType"), json);
    }

    @Test
    void unknownTypesVersionsAndBrokenEnvelopesAreUnprocessable() {
        String ok = "{\"id\":\"1\",\"type\":\"cleanup.tick\",\"version\":1,\"occurredAt\":\"2026-01-01T00:00:00Z\",\"data\":{}}";
        EventCodec.decode(ok.getBytes(StandardCharsets.UTF_8), Map.of());
        for (String bad : new String[] {
                "not json", "[]", "{}",
                ok.replace("cleanup.tick", "cleanup.tock"),
                ok.replace("\"version\":1", "\"version\":2"),
                ok.replace("\"version\":1,", ""),
                ok.replace("2026-01-01T00:00:00Z", "yesterday"),
                ok.replace(",\"data\":{}", "")}) {
            assertThrows(UnprocessableEventException.class,
                    () -> EventCodec.decode(bad.getBytes(StandardCharsets.UTF_8), Map.of()), bad);
        }
        assertThrows(UnprocessableEventException.class,
                () -> EventCodec.decode(ok.getBytes(StandardCharsets.UTF_8), Map.of("type", "workspace.stop.requested")),
                "attributes that disagree with the body");
    }
}
