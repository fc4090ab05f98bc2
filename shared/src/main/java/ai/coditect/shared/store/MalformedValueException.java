package ai.coditect.shared.store;

/**
 * A stored value that the codec of its subspace cannot read: written by something other than that codec, or
 * damaged. Nothing is guessed from it; the message names the subspace's codec and what is wrong.
 */
public final class MalformedValueException extends IllegalStateException {
    public MalformedValueException(String message) {
        super(message);
    }

    public MalformedValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
