package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;

/** Consumes one event delivery. Throwing asks for redelivery; handlers must be idempotent. */
@FunctionalInterface
public interface EventHandler {
    void handle(Event event, int deliveryAttempt) throws Exception;
}
