package ai.coditect.functions.auth;

import java.time.Duration;

/**
 * How long sessions live (an absolute lifetime from login and an idle timeout since the last request) and how
 * many one user may hold: a login beyond {@code maxPerUser} ends the user's oldest session, so no user's sessions
 * grow without bound and every transaction over them stays small.
 */
public record SessionPolicy(Duration lifetime, Duration idleTimeout, int maxPerUser) {
    public static final int DEFAULT_MAX_PER_USER = 50;
    public static final SessionPolicy DEFAULT = new SessionPolicy(Duration.ofHours(12), Duration.ofHours(2));

    /**
     * How far a session's recorded last access may lag behind its latest request: a request writes its time only
     * when the recorded one is at least this old, so a busy session costs one write a minute, not one per request.
     * 1 % of the idle timeout, at most a minute; an idle session therefore ends at most that much early.
     */
    public Duration lastAccessGranularity() {
        Duration share = idleTimeout.dividedBy(100);
        return share.compareTo(Duration.ofMinutes(1)) < 0 ? share : Duration.ofMinutes(1);
    }

    public SessionPolicy(Duration lifetime, Duration idleTimeout) {
        this(lifetime, idleTimeout, DEFAULT_MAX_PER_USER);
    }

    public SessionPolicy {
        if (lifetime.isNegative() || lifetime.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("session lifetime and idle timeout must be positive");
        }
        if (maxPerUser < 1 || maxPerUser > 1_000) {
            throw new IllegalArgumentException("sessions per user must be 1 to 1000");
        }
    }
}
