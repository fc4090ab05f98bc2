package ai.coditect.functions.auth;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the Argon2id hashes running at once (each takes 19 MiB and a core for tens of milliseconds): a few
 * callers may wait a moment for a turn, everyone beyond is refused at once with {@link AuthException.Reason#BUSY}
 * rather than queued without bound.
 */
final class HashingGate {
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(1);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Duration wait;
    private final Semaphore turns;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();

    HashingGate(int concurrent) {
        this(concurrent, DEFAULT_WAIT);
    }

    /** {@code concurrent} hashes at a time; up to twice as many callers wait at most {@code wait} for a turn. */
    HashingGate(int concurrent, Duration wait) {
        this.wait = wait;
        this.turns = new Semaphore(concurrent, true);
        this.maxWaiting = 2 * concurrent;
    }

    <T> T run(Supplier<T> hashing) {
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            throw busy();
        }
        boolean acquired;
        try {
            acquired = turns.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        } finally {
            waiting.decrementAndGet();
        }
        if (!acquired) {
            throw busy();
        }
        try {
            return hashing.get();
        } finally {
            turns.release();
        }
    }

    /** Callers waiting for a turn now. */
    int waiting() {
        return waiting.get();
    }

    private static AuthException busy() {
        return new AuthException(AuthException.Reason.BUSY, "The service is busy checking passwords; try again "
                + "in a moment.", RETRY_AFTER);
    }
}
