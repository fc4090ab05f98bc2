package ai.coditect.shared.tokens;

/** A token that does not verify. The message says why, for logs; it never contains the token. */
public final class InvalidTokenException extends Exception {
    /** Why a token was refused. */
    public enum Reason {
        /** Not a signed JWT at all. */
        MALFORMED,
        /** Signed by us, but past its expiry: its session's absolute lifetime is over. */
        EXPIRED,
        /** Wrong algorithm, unknown key, bad signature, wrong issuer or audience, missing claims, not yet valid. */
        INVALID
    }

    private final Reason reason;

    public InvalidTokenException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
