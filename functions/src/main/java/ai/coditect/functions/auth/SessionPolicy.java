package ai.coditect.functions.auth;

import java.time.Duration;

/** How long sessions live: an absolute lifetime from login and an idle timeout since the last request. */
public record SessionPolicy(Duration lifetime, Duration idleTimeout) {
    public static final SessionPolicy DEFAULT = new SessionPolicy(Duration.ofHours(12), Duration.ofHours(2));

    public SessionPolicy {
        if (lifetime.isNegative() || lifetime.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("session lifetime and idle timeout must be positive");
        }
    }
}
