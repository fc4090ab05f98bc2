package ai.coditect.shared.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for effects that arrive asynchronously (a delivered event, a closed socket) by polling a condition, and
 * fails the test when it does not come: a wait whose result could be ignored would prove nothing.
 */
public final class Eventually {
    private Eventually() {
    }

    /**
     * Returns once {@code condition} holds; throws {@link AssertionError} when it still does not after
     * {@code timeout}. The result is always true, only so that callers written as
     * {@code assertTrue(Eventually.holds(…))} keep compiling; nothing is lost by ignoring it.
     */
    public static boolean holds(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        return holds(timeout, condition, () -> "the condition did not hold within " + timeout);
    }

    /** As {@link #holds(Duration, BooleanSupplier)}, failing with {@code message}. */
    public static boolean holds(Duration timeout, BooleanSupplier condition, String message)
            throws InterruptedException {
        return holds(timeout, condition, () -> message);
    }

    /** As {@link #holds(Duration, BooleanSupplier)}, failing with the message {@code message} gives at the time. */
    public static boolean holds(Duration timeout, BooleanSupplier condition, Supplier<String> message)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionError(message.get() + " (waited " + timeout + ")");
        }
        return true;
    }
}
