package ai.coditect.functions.auth;

import java.time.Duration;

/** Why an auth operation was refused. The HTTP layer turns the reason into a status and a problem code. */
public final class AuthException extends RuntimeException {
    /** The refusals, named after the problem codes of the HTTP contract. */
    public enum Reason {
        INVALID_EMAIL("invalid_email"),
        WEAK_PASSWORD("weak_password"),
        EMAIL_TAKEN("email_taken"),
        INVALID_CREDENTIALS("invalid_credentials"),
        RATE_LIMITED("rate_limited"),
        TOKEN_INVALID("token_invalid"),
        SESSION_EXPIRED("session_expired"),
        SESSION_REVOKED("session_revoked"),
        SESSION_NOT_FOUND("session_not_found");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
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

    /** For {@link Reason#RATE_LIMITED}: how long until another attempt is accepted. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
