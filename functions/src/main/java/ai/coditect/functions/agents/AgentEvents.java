package ai.coditect.functions.agents;

import ai.coditect.functions.events.Outbox;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import com.apple.foundationdb.Transaction;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where the registry's events ({@code agent.*}, {@code task.*} on {@code agent-events}) leave: written
 * to the transactional outbox in the transaction of the change they announce, and relayed soon after on a thread
 * of their own, so that a claim or a completion never waits for the broker. Relays that pile up while one runs
 * become one; the cleanup tick relays whatever a broker outage left behind.
 */
final class AgentEvents {
    private static final Logger LOG = Logger.getLogger(AgentEvents.class.getName());

    private final Outbox outbox;
    private final Clock clock;
    private final AtomicBoolean relayQueued = new AtomicBoolean();
    private final ExecutorService relays = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "coditect-agent-events");
        t.setDaemon(true);
        return t;
    });

    AgentEvents(Outbox outbox, Clock clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    /** The events of one transaction attempt, written into it; a retried attempt writes them again, itself. */
    final class Batch {
        private final Transaction tr;
        private boolean any;

        private Batch(Transaction tr) {
            this.tr = tr;
        }

        void add(EventType type, String tenantId, String userId, Map<String, Object> data) {
            outbox.add(tr, Event.of(type, tenantId, userId, data, clock));
            any = true;
        }

        /** After the commit: has the outbox relayed soon, if this transaction wrote to it. */
        void publish() {
            if (any && relayQueued.compareAndSet(false, true)) {
                try {
                    relays.execute(() -> {
                        relayQueued.set(false);
                        try {
                            outbox.relay();
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "relaying agent events failed; the next relay sends them", e);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    relayQueued.set(false); // shutting down: the outbox keeps the events for the next relay
                }
            }
        }
    }

    Batch batch(Transaction tr) {
        return new Batch(tr);
    }

    void close() {
        relays.shutdownNow();
    }
}
