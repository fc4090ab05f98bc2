package ai.coditect.functions.cleanup;

import java.time.Duration;

/**
 * How cleanup works: workspaces idle longer than {@code workspaceIdleTimeout} are stopped; expired sessions are
 * deleted {@code batchSize} at a time, each batch one small transaction that stops early after {@code batchTime}
 * (far inside FoundationDB's five seconds, whatever the machine).
 */
public record CleanupPolicy(Duration workspaceIdleTimeout, int batchSize, Duration batchTime) {
    public static final CleanupPolicy DEFAULT = new CleanupPolicy(Duration.ofMinutes(30), 500);

    public CleanupPolicy(Duration workspaceIdleTimeout, int batchSize) {
        this(workspaceIdleTimeout, batchSize, Duration.ofSeconds(1));
    }

    public CleanupPolicy {
        if (workspaceIdleTimeout.isNegative() || workspaceIdleTimeout.isZero()) {
            throw new IllegalArgumentException("CODITECT_WORKSPACE_IDLE_TIMEOUT must be positive. "
                    + "e.g. CODITECT_WORKSPACE_IDLE_TIMEOUT=30m");
        }
        if (batchSize < 1 || batchTime.isNegative()) {
            throw new IllegalArgumentException("the cleanup batch size and time must be positive");
        }
    }
}
