package ai.coditect.functions.events;

import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.problem.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.functions.CloudEventsFunction;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A function that consumes a topic, reached both ways the platform delivers: as an {@link HttpFunction} taking the
 * body a Pub/Sub push subscription POSTs (production: the invoker serves a class that is both as HTTP), and as a
 * {@link CloudEventsFunction} taking Eventarc's CloudEvent (the local platform's {@link EventarcBridge}).
 *
 * <p>The push answer is the acknowledgement: 204 acks; 4xx refuses a delivery that can never succeed (Pub/Sub
 * treats every non-2xx as a nack, so it is retried and dead-lettered after the last attempt); 503 is a transient
 * failure, retried with the subscription's backoff.
 */
public abstract class PubSubFunction implements HttpFunction, CloudEventsFunction {
    /** Pub/Sub's largest message (10 MB) in base64, with room for its envelope. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(PubSubFunction.class.getName());

    private final EventConsumer consumer;

    protected PubSubFunction(EventConsumer consumer) {
        this.consumer = consumer;
    }

    /** The consumer behind this function: the local platform feeds its in-process bus subscriptions to it. */
    public final EventConsumer consumer() {
        return consumer;
    }

    @Override
    public final void accept(CloudEvent event) throws Exception {
        consumer.accept(event);
    }

    @Override
    public final void service(HttpRequest request, HttpResponse response) throws IOException {
        if (!request.getMethod().equalsIgnoreCase("POST")) {
            response.appendHeader("Allow", "POST");
            problem(response, Problem.of(405, "method_not_allowed", "Pub/Sub pushes with POST."));
            return;
        }
        String mediaType = request.getContentType().orElse("").split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            problem(response, Problem.of(415, "unsupported_media_type", "A Pub/Sub push body is application/json."));
            return;
        }
        EventarcMessage message;
        try {
            message = EventarcMessage.fromEnvelope(envelope(request), "(push)");
        } catch (UnprocessableEventException e) {
            LogFields.of("consumer", consumer.name()).log(LOG, Level.SEVERE,
                    "push delivery refused (Pub/Sub dead-letters it after its last attempt): " + e.getMessage());
            problem(response, Problem.of(400, "unprocessable_message", e.getMessage()));
            return;
        }
        try {
            consumer.accept(message);
        } catch (UnprocessableEventException e) {
            // logged by the consumer with the event's id and type
            problem(response, Problem.of(422, "unprocessable_event", e.getMessage()));
            return;
        } catch (Exception e) {
            LogFields.of("consumer", consumer.name(), "eventId", message.event().id(),
                    "attempt", message.deliveryAttempt()).log(LOG, Level.WARNING,
                    "handling failed; Pub/Sub will redeliver", e);
            try {
                problem(response, Problem.of(503, "handler_failed", "The event could not be handled this time."));
            } finally {
                if (e instanceof InterruptedException) {
                    // Set again only once the answer is written: whoever interrupted the thread (a server stopping)
                    // must still see it, and an interrupted thread's blocking write could lose the 503.
                    Thread.currentThread().interrupt();
                }
            }
            return;
        }
        response.setStatusCode(204);
    }

    private static JsonNode envelope(HttpRequest request) {
        if (request.getContentLength() > MAX_BODY_BYTES) {
            throw new UnprocessableEventException("the push body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new UnprocessableEventException("the push body could not be read");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new UnprocessableEventException("the push body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonNode node = Json.mapper().readTree(body);
            if (node == null || !node.isObject()) {
                throw new UnprocessableEventException("the push body is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new UnprocessableEventException("the push body is not JSON");
        }
    }

    private static void problem(HttpResponse response, Problem problem) throws IOException {
        response.setStatusCode(problem.status());
        response.setContentType(Problem.MEDIA_TYPE);
        try (OutputStream out = response.getOutputStream()) {
            out.write(Json.bytes(problem));
        }
    }
}
