package ai.coditect.functions.auth;

import java.time.Duration;

/** Brute-force protection: after {@code maxFailures} failed logins for an email within {@code window}, wait. */
public record LoginPolicy(int maxFailures, Duration window) {
    public static final LoginPolicy DEFAULT = new LoginPolicy(5, Duration.ofMinutes(15));

    public LoginPolicy {
        if (maxFailures < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("login failures and window must be positive");
        }
    }
}
