package ai.coditect.functions.auth;

import ai.coditect.shared.config.Environment;

import java.time.Duration;

/**
 * Brute-force protection that slows attackers down without locking owners out (OWASP ASVS 2.2.1): at most
 * {@code maxFailures} failed logins for one email from one client address within {@code window}, and
 * {@code maxFailuresPerAddress} from one address whatever the email; an email that fails
 * {@code slowDownAfter} times within the window from anywhere gets growing pauses between attempts (up to
 * {@link #MAX_PAUSE}) rather than a lock. {@code maxConcurrentHashes} bounds the Argon2id hashes running at
 * once (about one per core); a login or signup beyond it is answered at once with 503 and {@code Retry-After}.
 */
public record LoginPolicy(int maxFailures, Duration window, int maxFailuresPerAddress, int slowDownAfter,
                          int maxConcurrentHashes) {
    public static final Duration MAX_PAUSE = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_FAILURES_PER_ADDRESS = 100;
    public static final LoginPolicy DEFAULT = new LoginPolicy(5, Duration.ofMinutes(15));

    public LoginPolicy(int maxFailures, Duration window) {
        this(maxFailures, window, DEFAULT_MAX_FAILURES_PER_ADDRESS, 4 * maxFailures,
                Runtime.getRuntime().availableProcessors());
    }

    public LoginPolicy {
        atLeastOne("CODITECT_LOGIN_MAX_FAILURES", maxFailures, "5");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("CODITECT_LOGIN_FAILURE_WINDOW must be positive. "
                    + "e.g. CODITECT_LOGIN_FAILURE_WINDOW=15m");
        }
        atLeastOne("CODITECT_LOGIN_MAX_FAILURES_PER_ADDRESS", maxFailuresPerAddress, "100");
        atLeastOne("CODITECT_LOGIN_SLOW_DOWN_AFTER", slowDownAfter, "20");
        atLeastOne("CODITECT_HASH_CONCURRENCY", maxConcurrentHashes, "2");
    }

    private static void atLeastOne(String variable, int value, String example) {
        if (value < 1) {
            throw new IllegalArgumentException(variable + " must be at least 1; got " + value + ". e.g. " + variable
                    + "=" + example);
        }
    }

    /** The {@code CODITECT_LOGIN_*} variables and {@code CODITECT_HASH_CONCURRENCY}. */
    public static LoginPolicy read(Environment env) {
        int maxFailures = env.integer("CODITECT_LOGIN_MAX_FAILURES", DEFAULT.maxFailures());
        return new LoginPolicy(maxFailures,
                env.duration("CODITECT_LOGIN_FAILURE_WINDOW", DEFAULT.window()),
                env.integer("CODITECT_LOGIN_MAX_FAILURES_PER_ADDRESS", DEFAULT_MAX_FAILURES_PER_ADDRESS),
                env.integer("CODITECT_LOGIN_SLOW_DOWN_AFTER", 4 * maxFailures),
                env.integer("CODITECT_HASH_CONCURRENCY", Runtime.getRuntime().availableProcessors()));
    }

    /** The pause an email must keep between attempts after {@code failures} failures in the window. */
    Duration pauseAfter(int failures) {
        if (failures < slowDownAfter) {
            return Duration.ZERO;
        }
        long seconds = Math.min(MAX_PAUSE.toSeconds(), 1L << Math.min(30, failures - slowDownAfter));
        return Duration.ofSeconds(seconds);
    }
}
