package ai.coditect.functions.events;

import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.logging.RequestContext;
import io.cloudevents.CloudEvent;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a Pub/Sub-triggered function does with a delivery: reads the event out of the CloudEvent (or the push
 * body, see {@link PubSubFunction}) and hands it to its handler. A handler failure propagates, so Pub/Sub redelivers; an unreadable or unknown event is logged
 * clearly and propagates too, ending in the subscription's dead-letter topic after its last attempt.
 */
public final class EventConsumer {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class.getName());

    private final String name;
    private final EventHandler handler;

    public EventConsumer(String name, EventHandler handler) {
        this.name = name;
        this.handler = handler;
    }

    public void accept(CloudEvent cloudEvent) throws Exception {
        EventarcMessage message;
        try {
            message = EventarcMessage.from(cloudEvent);
        } catch (UnprocessableEventException e) {
            LogFields.of("consumer", name, "cloudEventId", cloudEvent.getId()).log(LOG, Level.SEVERE,
                    "event rejected to the dead-letter path: " + e.getMessage());
            throw e;
        }
        accept(message);
    }

    /** Hands a message already read (from a CloudEvent or a push body) to the handler. */
    public void accept(EventarcMessage message) throws Exception {
        RequestContext.run(message.event().id(), () -> {
            try {
                handler.handle(message.event(), message.deliveryAttempt());
            } catch (UnprocessableEventException e) {
                LogFields.of("consumer", name, "eventId", message.event().id(), "type", message.event().type())
                        .log(LOG, Level.SEVERE, "event rejected to the dead-letter path: " + e.getMessage());
                throw e;
            }
        });
    }

    public String name() {
        return name;
    }

    public EventHandler handler() {
        return handler;
    }
}
