package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.testing.TestClock;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The answer a {@link PubSubFunction} gives a push on the thread that served it. */
class PushAnswerTest {
    @Test
    void anInterruptWhileHandlingIsAnsweredWith503AndStaysSetOnTheServingThread() throws Exception {
        PubSubFunction function = new PubSubFunction(new EventConsumer("interrupted", (event, attempt) -> {
            throw new InterruptedException("the instance is stopping");
        })) { };
        AtomicInteger status = new AtomicInteger();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            function.service(push(), response(status, body));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is still set for whoever sent it");
        } finally {
            Thread.interrupted();
        }
        assertEquals(503, status.get(), "Pub/Sub redelivers");
        assertTrue(body.toString(StandardCharsets.UTF_8).contains("handler_failed"), body.toString());
    }

    private static HttpRequest push() {
        Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), TestClock.atNow());
        byte[] bytes = PubSubPushTest.pushBody(new String(tick.toJson(), StandardCharsets.UTF_8),
                Map.of("type", tick.type(), "id", tick.id())).getBytes(StandardCharsets.UTF_8);
        return (HttpRequest) Proxy.newProxyInstance(HttpRequest.class.getClassLoader(),
                new Class<?>[]{HttpRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "POST";
                    case "getContentType" -> Optional.of("application/json");
                    case "getContentLength" -> (long) bytes.length;
                    case "getInputStream" -> new ByteArrayInputStream(bytes);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static HttpResponse response(AtomicInteger status, ByteArrayOutputStream body) {
        return (HttpResponse) Proxy.newProxyInstance(HttpResponse.class.getClassLoader(),
                new Class<?>[]{HttpResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "setStatusCode" -> {
                        status.set((Integer) args[0]);
                        yield null;
                    }
                    case "setContentType", "appendHeader" -> null;
                    case "getOutputStream" -> body;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
