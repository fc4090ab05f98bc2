package ai.coditect.functions.cleanup;

import java.time.Duration;

/**
 * How cleanup works: workspaces idle longer than {@code workspaceIdleTimeout} are stopped; expired sessions are
 * deleted {@code batchSize} at a time, each batch one small transaction.
 */
public record CleanupPolicy(Duration workspaceIdleTimeout, int batchSize) {
    public static final CleanupPolicy DEFAULT = new CleanupPolicy(Duration.ofMinutes(30), 500);

    public CleanupPolicy {
        if (workspaceIdleTimeout.isNegative() || workspaceIdleTimeout.isZero() || batchSize < 1) {
            throw new IllegalArgumentException("the idle timeout and the batch size must be positive");
        }
    }
}
