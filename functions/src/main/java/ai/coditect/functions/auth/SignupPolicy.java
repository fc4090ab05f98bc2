package ai.coditect.functions.auth;

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
        if (maxPerAddress < 1 || window.isNegative() || window.isZero() || forwardedHop < 1) {
            throw new IllegalArgumentException(
                    "signups per address, their window and the forwarded hop must be positive");
        }
    }
}
