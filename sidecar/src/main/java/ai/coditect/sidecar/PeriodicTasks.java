package ai.coditect.sidecar;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sidecar's periodic work (keep-alive pings, session re-checks, activity reports), due by the sidecar's own
 * clock: one daemon thread looks every {@link #TICK} for tasks whose time has come, so a test that moves its clock
 * and calls {@link #runDue()} sees exactly what the sidecar would do after that much time.
 */
final class PeriodicTasks {
    private static final Logger LOG = Logger.getLogger(PeriodicTasks.class.getName());
    /** How often the thread looks; it adds at most this much to every period. */
    static final Duration TICK = Duration.ofMillis(250);

    private static final class Task {
        final String name;
        final Runnable work;
        final Duration every;
        Instant due;

        Task(String name, Runnable work, Duration every, Instant due) {
            this.name = name;
            this.work = work;
            this.every = every;
            this.due = due;
        }
    }

    private final Clock clock;
    private final ScheduledExecutorService sharedTimer;
    private final List<Task> tasks = new ArrayList<>();
    private ScheduledExecutorService thread;
    private ScheduledFuture<?> ticking;

    /** @param sharedTimer the timer of a process that hosts several sidecars, or null for a thread of its own */
    PeriodicTasks(Clock clock, ScheduledExecutorService sharedTimer) {
        this.clock = clock;
        this.sharedTimer = sharedTimer;
    }

    synchronized void add(String name, Duration every, Runnable work) {
        tasks.add(new Task(name, work, every, clock.instant().plus(every)));
    }

    /** Runs every task that is due now, one after the other; returns when they are done. */
    synchronized void runDue() {
        for (Task t : tasks) {
            Instant now = clock.instant();
            if (now.isBefore(t.due)) {
                continue;
            }
            try {
                t.work.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "the sidecar's periodic task '" + t.name + "' failed", e);
            }
            t.due = clock.instant().plus(t.every);
        }
    }

    synchronized void start() {
        if (ticking != null) {
            return;
        }
        if (sharedTimer == null) {
            thread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "coditect-sidecar-timer");
                t.setDaemon(true);
                return t;
            });
        }
        ScheduledExecutorService timer = sharedTimer != null ? sharedTimer : thread;
        ticking = timer.scheduleWithFixedDelay(this::runDue, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        ScheduledExecutorService t;
        ScheduledFuture<?> f;
        synchronized (this) {
            t = thread;
            f = ticking;
            thread = null;
            ticking = null;
        }
        if (f != null) {
            f.cancel(false);
        }
        if (t != null) {
            t.shutdownNow();
        }
    }
}
