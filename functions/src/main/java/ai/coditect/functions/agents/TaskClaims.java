package ai.coditect.functions.agents;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /v1/tasks:claim}: claims a task at once or long-polls for one. Waiting is on FoundationDB watches of
 * the signals that every enqueue bumps, never a sleep loop; the wait is cut short when a lease, claim or retry of
 * the tenant comes due, so that reaping (done lazily before every attempt) can offer that task.
 */
final class TaskClaims {
    private static final Logger LOG = Logger.getLogger(TaskClaims.class.getName());
    /** Shortest wait when something is already due but not yet reaped, so a stuck index entry cannot spin. */
    private static final long MIN_WAIT_MILLIS = 20;

    private final TaskBoard board;
    private final Reaper reaper;
    private final Clock clock;
    /** Claims waiting on their watches now: each holds its request's thread, so this is what long-polls cost. */
    private final AtomicInteger waiting = new AtomicInteger();

    TaskClaims(TaskBoard board, Reaper reaper, Clock clock) {
        this.board = board;
        this.reaper = reaper;
        this.clock = clock;
    }

    /** How many claims wait on their watches at this moment. */
    int waiting() {
        return waiting.get();
    }

    /** A task claimed for the agent within {@code wait}, or null. */
    Task claim(Principal p, String agentId, long epoch, List<String> skills, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            reaper.reap(p.tenantId());
            Task task = board.claimOnce(p, agentId, epoch, skills);
            if (task != null) {
                return task;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TaskBoard.Armed armed = board.arm(p.tenantId(), agentId, skills);
            if (armed == null) {
                continue; // something arrived between the attempt and arming
            }
            long waitMillis = TimeUnit.NANOSECONDS.toMillis(left);
            if (armed.nextDue() != null) {
                long untilDue = Duration.between(clock.instant(), armed.nextDue()).toMillis() + 1;
                waitMillis = Math.min(waitMillis, Math.max(MIN_WAIT_MILLIS, untilDue));
            }
            waiting.incrementAndGet();
            try {
                CompletableFuture.anyOf(armed.watches().toArray(CompletableFuture[]::new))
                        .get(Math.max(1, waitMillis), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | CancellationException e) {
                // nothing arrived in time; try once more, then answer
            } catch (ExecutionException e) {
                // a watch refused (too many watches on this connection, say): answer with what there is now
                // rather than spin; the agent polls again
                LOG.log(Level.WARNING, "a claim's watch failed; answering without waiting", e.getCause());
                return board.claimOnce(p, agentId, epoch, skills);
            } finally {
                waiting.decrementAndGet();
                armed.cancel();
            }
        }
    }
}
