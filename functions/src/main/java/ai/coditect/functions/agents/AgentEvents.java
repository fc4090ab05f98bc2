package ai.coditect.functions.agents;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.logging.LogFields;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where the registry's events ({@code agent.*}, {@code task.*} on {@code agent-events}) leave:
 * collected while a transaction runs, published once it committed. A publish failure is logged; nobody waits for
 * the broker, so a claim or a completion costs no Pub/Sub round trip.
 */
final class AgentEvents {
    private static final Logger LOG = Logger.getLogger(AgentEvents.class.getName());

    private final EventPublisher publisher;
    private final Clock clock;

    AgentEvents(EventPublisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Events of one transaction attempt; a retried attempt starts a new batch, so nothing is sent twice. */
    final class Batch {
        private final List<Event> events = new ArrayList<>();

        void add(EventType type, String tenantId, String userId, Map<String, Object> data) {
            events.add(Event.of(type, tenantId, userId, data, clock));
        }

        void publish() {
            for (Event e : events) {
                publisher.publish(e).exceptionally(failure -> {
                    LogFields.of("eventId", e.id(), "type", e.type()).log(LOG, Level.WARNING,
                            "could not publish an agent event", failure);
                    return null;
                });
            }
        }
    }

    Batch batch() {
        return new Batch();
    }
}
