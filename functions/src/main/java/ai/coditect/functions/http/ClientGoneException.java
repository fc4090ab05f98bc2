package ai.coditect.functions.http;

import java.io.IOException;

/**
 * The client went away while its answer was being written: nothing can be answered any more. Its own type, so
 * that no other I/O failure (an unreadable stored record, say) is mistaken for it and left unanswered.
 */
final class ClientGoneException extends RuntimeException {
    ClientGoneException(IOException cause) {
        super("the client went away", cause);
    }
}
