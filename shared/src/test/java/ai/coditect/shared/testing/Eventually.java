package ai.coditect.shared.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for effects that arrive asynchronously (a delivered event, a closed socket) by polling a condition. */
public final class Eventually {
    private Eventually() {
    }

    /** Whether {@code condition} held within {@code timeout}; it is asked once more when the time is up. */
    public static boolean holds(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
