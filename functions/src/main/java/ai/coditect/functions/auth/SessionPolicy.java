package ai.coditect.functions.auth;

import ai.coditect.shared.config.Environment;

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
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("CODITECT_SESSION_LIFETIME must be positive. "
                    + "e.g. CODITECT_SESSION_LIFETIME=12h");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("CODITECT_SESSION_IDLE_TIMEOUT must be positive. "
                    + "e.g. CODITECT_SESSION_IDLE_TIMEOUT=2h");
        }
        if (maxPerUser < 1 || maxPerUser > 1_000) {
            throw new IllegalArgumentException("CODITECT_SESSIONS_PER_USER must be 1 to 1000; got " + maxPerUser
                    + ". e.g. CODITECT_SESSIONS_PER_USER=50");
        }
    }

    /** {@code CODITECT_SESSION_LIFETIME}, {@code CODITECT_SESSION_IDLE_TIMEOUT}, {@code CODITECT_SESSIONS_PER_USER}. */
    public static SessionPolicy read(Environment env) {
        return new SessionPolicy(env.duration("CODITECT_SESSION_LIFETIME", DEFAULT.lifetime()),
                env.duration("CODITECT_SESSION_IDLE_TIMEOUT", DEFAULT.idleTimeout()),
                env.integer("CODITECT_SESSIONS_PER_USER", DEFAULT_MAX_PER_USER));
    }
}
