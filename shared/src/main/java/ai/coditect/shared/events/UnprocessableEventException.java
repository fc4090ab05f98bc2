package ai.coditect.shared.events;

/**
 * An event that no redelivery can help (unknown type or version, unreadable payload). It goes to the
 * dead-letter path with a clear log line instead of being retried.
 */
public final class UnprocessableEventException extends RuntimeException {
    public UnprocessableEventException(String message) {
        super(message);
    }
}
