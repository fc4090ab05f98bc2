package ai.coditect.functions.agents;

import java.time.Duration;

/**
 * How the agent registry treats leases, claims and retries: an agent's lease (renewed by the agent), how long a
 * claim lasts without a heartbeat, how often a failed task is tried and how long a retry waits, the longest
 * long-poll, and how many queue heads a claimer picks from so that concurrent claimers rarely collide.
 */
public record AgentPolicy(Duration lease, Duration claimTimeout, int maxAttempts, Duration retryBackoff,
                          Duration maxRetryBackoff, Duration maxWait, int claimCandidates) {
    public static final AgentPolicy DEFAULT = new AgentPolicy(Duration.ofSeconds(30), Duration.ofSeconds(60), 3,
            Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(25), 4);

    public AgentPolicy {
        if (lease.isNegative() || lease.isZero() || claimTimeout.isNegative() || claimTimeout.isZero()) {
            throw new IllegalArgumentException("leases and claims must last a while");
        }
        if (maxAttempts < 1 || maxAttempts > 100 || claimCandidates < 1 || claimCandidates > 64) {
            throw new IllegalArgumentException("attempts are 1 to 100, claim candidates 1 to 64");
        }
    }

    /** How long the {@code attempt}-th failure waits before the task is offered again: doubling, capped. */
    public Duration backoff(int attempt) {
        Duration d = retryBackoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
        return d.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : d;
    }
}
