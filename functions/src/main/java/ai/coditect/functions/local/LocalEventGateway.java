package ai.coditect.functions.local;

import ai.coditect.functions.events.PubSubFunction;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.util.Map;

/**
 * The local platform's CloudEvents function when events go through the Pub/Sub emulator: the Eventarc stand-in
 * POSTs each subscription's messages to an invoker serving this class, which hands them to the Pub/Sub function
 * the local platform built for that subscription (named in the event's data), as Eventarc would. Local use only.
 */
public final class LocalEventGateway implements CloudEventsFunction {
    /** The function of each subscription id; the local platform mounts them before serving this class. */
    private static volatile Map<String, PubSubFunction> mounted = Map.of();

    static synchronized void mount(String subscriptionId, PubSubFunction function) {
        java.util.HashMap<String, PubSubFunction> next = new java.util.HashMap<>(mounted);
        next.put(subscriptionId, function);
        mounted = Map.copyOf(next);
    }

    static synchronized void unmount(String subscriptionId) {
        java.util.HashMap<String, PubSubFunction> next = new java.util.HashMap<>(mounted);
        next.remove(subscriptionId);
        mounted = Map.copyOf(next);
    }

    @Override
    public void accept(CloudEvent event) throws Exception {
        String subscription = subscription(event);
        PubSubFunction function = mounted.get(subscription.substring(subscription.lastIndexOf('/') + 1));
        if (function == null) {
            throw new UnprocessableEventException("no function consumes " + subscription + " here");
        }
        function.accept(event);
    }

    private static String subscription(CloudEvent event) {
        try {
            JsonNode data = event.getData() == null ? null : Json.mapper().readTree(event.getData().toBytes());
            String name = data == null ? "" : data.path("subscription").asText("");
            if (name.isEmpty()) {
                throw new UnprocessableEventException("the event names no subscription");
            }
            return name;
        } catch (IOException e) {
            throw new UnprocessableEventException("the event's data is not JSON");
        }
    }
}
