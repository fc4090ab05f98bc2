package ai.coditect.functions.auth;

import java.time.Duration;
import java.util.Locale;

/** Why an auth operation was refused. The HTTP layer turns the reason into a status and a problem code. */
public final class AuthException extends RuntimeException {
    /** The refusals, named after the problem codes of the HTTP contract. */
    public enum Reason {
        INVALID_EMAIL,
        WEAK_PASSWORD,
        EMAIL_TAKEN,
        INVALID_CREDENTIALS,
        RATE_LIMITED,
        TOKEN_INVALID,
        SESSION_EXPIRED,
        SESSION_REVOKED,
        SESSION_NOT_FOUND,
        BUSY;

        /** The problem code: the name in lower case. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;
    private final Duration retryAfter;

    public AuthException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public AuthException(Reason reason, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#RATE_LIMITED} and {@link Reason#BUSY}: how long until another attempt is accepted. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
