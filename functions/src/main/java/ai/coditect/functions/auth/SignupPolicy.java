package ai.coditect.functions.auth;

import ai.coditect.shared.config.Environment;

import java.time.Duration;

/**
 * Signups a client address may make: at most {@code maxPerAddress} within {@code window}, the address read from
 * the {@code forwardedHop}-th {@code X-Forwarded-For} entry from the right (see
 * {@link ai.coditect.functions.http.ClientAddress}). Every signup costs an Argon2id hash and a workspace, so the
 * limit keeps one client from spending either without bound, and slows probing which emails have accounts.
 */
public record SignupPolicy(int maxPerAddress, Duration window, int forwardedHop) {
    public static final SignupPolicy DEFAULT = new SignupPolicy(20, Duration.ofHours(1), 1);

    public SignupPolicy {
        if (maxPerAddress < 1) {
            throw new IllegalArgumentException("CODITECT_SIGNUP_MAX_PER_ADDRESS must be at least 1; got "
                    + maxPerAddress + ". e.g. CODITECT_SIGNUP_MAX_PER_ADDRESS=20");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("CODITECT_SIGNUP_WINDOW must be positive. e.g. CODITECT_SIGNUP_WINDOW=1h");
        }
        if (forwardedHop < 1) {
            throw new IllegalArgumentException("CODITECT_FORWARDED_HOP must be at least 1; got " + forwardedHop
                    + ". e.g. CODITECT_FORWARDED_HOP=2 (behind an external load balancer)");
        }
    }

    /** {@code CODITECT_SIGNUP_MAX_PER_ADDRESS}, {@code CODITECT_SIGNUP_WINDOW}, {@code CODITECT_FORWARDED_HOP}. */
    public static SignupPolicy read(Environment env) {
        return new SignupPolicy(env.integer("CODITECT_SIGNUP_MAX_PER_ADDRESS", DEFAULT.maxPerAddress()),
                env.duration("CODITECT_SIGNUP_WINDOW", DEFAULT.window()),
                env.integer("CODITECT_FORWARDED_HOP", DEFAULT.forwardedHop()));
    }
}
