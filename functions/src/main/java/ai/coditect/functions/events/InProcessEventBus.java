package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.logging.LogFields;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event bus of the local platform, with Pub/Sub's contract: every subscription of a topic gets each event at
 * least once, on the bus's own threads (one per delivery, so a slow handler holds up nobody else); a handler
 * that throws gets it again after a growing backoff; after
 * {@code maxAttempts} it goes to the dead letters (logged, and kept for inspection). Events with an ordering key
 * are delivered one at a time per key and subscription, in publish order, as Pub/Sub does with ordering keys.
 */
public final class InProcessEventBus implements EventPublisher {
    private static final Logger LOG = Logger.getLogger(InProcessEventBus.class.getName());
    private static final int DEAD_LETTERS_KEPT = 1_000;

    /** An event given up on. */
    public record DeadLetter(String subscription, Event event, int attempts, String error, Instant at) {
    }

    private final Clock clock;
    private final int maxAttempts;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final ScheduledExecutorService timers;
    private final java.util.concurrent.ExecutorService deliveries;
    private final Map<Topic, List<Subscription>> subscriptions = new ConcurrentHashMap<>();
    private final Deque<DeadLetter> deadLetters = new ArrayDeque<>();
    private final Object idle = new Object();
    private int inFlight;
    private volatile boolean closed;

    public InProcessEventBus(Clock clock, int maxAttempts, Duration minBackoff, Duration maxBackoff) {
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coditect-event-bus-timer");
            t.setDaemon(true);
            return t;
        });
        this.deliveries = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("coditect-event-bus-", 0)
                .factory());
    }

    /** Pub/Sub's defaults as the platform configures them: 5 attempts, backoff from 1 s to 60 s. */
    public static InProcessEventBus withDefaults(Clock clock) {
        return new InProcessEventBus(clock, 5, Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    /** Adds a subscription named {@code name} to {@code topic}; it receives events published from now on. */
    public void subscribe(Topic topic, String name, EventHandler handler) {
        subscriptions.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(new Subscription(name, handler));
    }

    @Override
    public CompletableFuture<String> publish(Event event) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the event bus is closed"));
        }
        Topic topic = EventType.fromWireName(event.type()).map(EventType::topic).orElse(null);
        if (topic == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown event type " + event.type()));
        }
        for (Subscription s : subscriptions.getOrDefault(topic, List.of())) {
            s.enqueue(event);
        }
        return CompletableFuture.completedFuture(event.id());
    }

    public List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            return List.copyOf(deadLetters);
        }
    }

    /** Waits until no delivery is pending or {@code timeout} passes; true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (!awaitIdle(Duration.ofSeconds(10))) {
                LogFields.of("pending", inFlight).log(LOG, Level.WARNING, "event bus closed with deliveries pending");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        deliveries.shutdownNow();
    }

    private void changeInFlight(int delta) {
        synchronized (idle) {
            inFlight += delta;
            if (inFlight == 0) {
                idle.notifyAll();
            }
        }
    }

    /** One subscription: its queues per ordering key; events without a key are delivered independently. */
    private final class Subscription {
        private final String name;
        private final EventHandler handler;
        private final Map<String, Deque<Event>> ordered = new HashMap<>();

        Subscription(String name, EventHandler handler) {
            this.name = name;
            this.handler = handler;
        }

        void enqueue(Event event) {
            changeInFlight(1);
            String key = event.orderingKey();
            if (key.isEmpty()) {
                deliveries.execute(() -> deliver(event, 1, null));
                return;
            }
            synchronized (ordered) {
                Deque<Event> queue = ordered.computeIfAbsent(key, k -> new ArrayDeque<>());
                queue.addLast(event);
                if (queue.size() == 1) {
                    deliveries.execute(() -> deliver(event, 1, key));
                }
            }
        }

        private void deliver(Event event, int attempt, String key) {
            Exception failure;
            try {
                handler.handle(event, attempt);
                finished(event, key);
                return;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt(); // the bus is closing; the delivery counts as failed
                }
                failure = e;
            }
            if (failure instanceof UnprocessableEventException || attempt >= maxAttempts) {
                deadLetter(event, attempt, failure);
                finished(event, key);
                return;
            }
            LogFields.of("subscription", name, "eventId", event.id(), "type", event.type(), "attempt", attempt)
                    .log(LOG, Level.WARNING, "event handler failed; it will be redelivered: " + failure);
            long delay = Math.min(maxBackoff.toMillis(), minBackoff.toMillis() << Math.min(attempt - 1, 20));
            timers.schedule(() -> deliveries.execute(() -> deliver(event, attempt + 1, key)), delay,
                    TimeUnit.MILLISECONDS);
        }

        private void finished(Event event, String key) {
            if (key != null) {
                Event next = null;
                synchronized (ordered) {
                    Deque<Event> queue = ordered.get(key);
                    queue.removeFirst();
                    if (queue.isEmpty()) {
                        ordered.remove(key);
                    } else {
                        next = queue.peekFirst();
                    }
                }
                if (next != null) {
                    Event n = next;
                    deliveries.execute(() -> deliver(n, 1, key));
                }
            }
            changeInFlight(-1);
        }

        private void deadLetter(Event event, int attempts, Exception failure) {
            LogFields.of("subscription", name, "eventId", event.id(), "type", event.type(), "version",
                    event.version(), "attempts", attempts).log(LOG, Level.SEVERE,
                    "event dead-lettered: " + failure.getMessage());
            synchronized (deadLetters) {
                deadLetters.addLast(new DeadLetter(name, event, attempts, String.valueOf(failure.getMessage()),
                        clock.instant()));
                while (deadLetters.size() > DEAD_LETTERS_KEPT) {
                    deadLetters.removeFirst();
                }
            }
        }
    }
}
