package ai.coditect.functions.agents;

import ai.coditect.shared.config.Environment;

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
        // agents learn the lease in whole seconds (leaseSeconds) and renew every third of it
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("CODITECT_AGENT_LEASE must be at least 1s; got " + lease
                    + ". e.g. CODITECT_AGENT_LEASE=30s");
        }
        if (claimTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("CODITECT_TASK_CLAIM_TIMEOUT must be at least 1s; got " + claimTimeout
                    + ". e.g. CODITECT_TASK_CLAIM_TIMEOUT=60s");
        }
        if (retryBackoff.isNegative() || retryBackoff.isZero() || maxRetryBackoff.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException("CODITECT_TASK_RETRY_BACKOFF must be positive and at most "
                    + "CODITECT_TASK_MAX_RETRY_BACKOFF; got " + retryBackoff + " and " + maxRetryBackoff
                    + ". e.g. CODITECT_TASK_RETRY_BACKOFF=1s");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("CODITECT_TASK_MAX_ATTEMPTS must be 1 to 100; got " + maxAttempts
                    + ". e.g. CODITECT_TASK_MAX_ATTEMPTS=3");
        }
        if (claimCandidates < 1 || claimCandidates > 64) {
            throw new IllegalArgumentException("claim candidates are 1 to 64");
        }
    }

    /**
     * {@code CODITECT_AGENT_LEASE}, {@code CODITECT_TASK_CLAIM_TIMEOUT}, {@code CODITECT_TASK_MAX_ATTEMPTS},
     * {@code CODITECT_TASK_RETRY_BACKOFF} and {@code CODITECT_TASK_MAX_RETRY_BACKOFF}, each the default when unset.
     */
    public static AgentPolicy read(Environment env) {
        return new AgentPolicy(env.duration("CODITECT_AGENT_LEASE", DEFAULT.lease()),
                env.duration("CODITECT_TASK_CLAIM_TIMEOUT", DEFAULT.claimTimeout()),
                env.integer("CODITECT_TASK_MAX_ATTEMPTS", DEFAULT.maxAttempts()),
                env.duration("CODITECT_TASK_RETRY_BACKOFF", DEFAULT.retryBackoff()),
                env.duration("CODITECT_TASK_MAX_RETRY_BACKOFF", DEFAULT.maxRetryBackoff()),
                DEFAULT.maxWait(), DEFAULT.claimCandidates());
    }

    /** How long the {@code attempt}-th failure waits before the task is offered again: doubling, capped. */
    public Duration backoff(int attempt) {
        Duration d = retryBackoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
        return d.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : d;
    }
}
