package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InProcessEventBusTest {
    private final TestClock clock = TestClock.atNow();
    private final InProcessEventBus bus = new InProcessEventBus(clock, 5, Duration.ofMillis(5), Duration.ofMillis(40));

    @AfterEach
    void close() {
        bus.close();
    }

    private Event stop(String user, int n) {
        return Event.of(EventType.WORKSPACE_STOP_REQUESTED, "t", user, Map.of("n", n), clock);
    }

    @Test
    void everySubscriptionGetsEachEventOnTheBusThread() throws Exception {
        List<String> a = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        bus.subscribe(Topic.WORKSPACE_REQUESTS, "a", (e, attempt) -> {
            a.add(e.id());
            threads.add(Thread.currentThread().getName());
        });
        List<String> b = new CopyOnWriteArrayList<>();
        bus.subscribe(Topic.WORKSPACE_REQUESTS, "b", (e, attempt) -> b.add(e.id()));
        Event e = stop("u", 1);
        assertEquals(e.id(), bus.publish(e).join());
        assertTrue(bus.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(List.of(e.id()), a);
        assertEquals(List.of(e.id()), b);
        assertNotEquals(Thread.currentThread().getName(), threads.getFirst());
    }

    @Test
    void aFailingHandlerGetsTheEventAgainUntilItSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<Integer> seen = new CopyOnWriteArrayList<>();
        bus.subscribe(Topic.CLEANUP_TICKS, "flaky", (e, attempt) -> {
            seen.add(attempt);
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet");
            }
        });
        bus.publish(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock));
        assertTrue(bus.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(List.of(1, 2, 3), seen);
        assertTrue(bus.deadLetters().isEmpty());
    }

    @Test
    void afterFiveFailuresAnEventIsDeadLetteredAndKept() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        bus.subscribe(Topic.CLEANUP_TICKS, "broken", (e, attempt) -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("always");
        });
        Event tick = Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock);
        bus.publish(tick);
        assertTrue(bus.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(5, attempts.get());
        assertEquals(1, bus.deadLetters().size());
        assertEquals(tick, bus.deadLetters().getFirst().event());
        assertEquals("broken", bus.deadLetters().getFirst().subscription());
    }

    @Test
    void anUnprocessableEventIsDeadLetteredAtOnce() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        bus.subscribe(Topic.CLEANUP_TICKS, "strict", (e, attempt) -> {
            attempts.incrementAndGet();
            throw new UnprocessableEventException("cannot read it");
        });
        bus.publish(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock));
        assertTrue(bus.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(1, attempts.get());
        assertEquals(1, bus.deadLetters().size());
    }

    @Test
    void eventsOfOneUserArriveInOrderEvenAcrossRetries() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        bus.subscribe(Topic.WORKSPACE_REQUESTS, "ordered", (e, attempt) -> {
            int n = e.data().get("n").asInt();
            if (n == 3 && failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("retry me");
            }
            order.add(n);
        });
        for (int i = 0; i < 10; i++) {
            bus.publish(stop("same-user", i));
        }
        assertTrue(bus.awaitIdle(Duration.ofSeconds(5)));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
    }

    @Test
    void aClosedBusRefusesNewEvents() {
        bus.close();
        assertTrue(bus.publish(stop("u", 1)).isCompletedExceptionally());
    }
}
