package ai.coditect.shared.testing;

import com.apple.foundationdb.FDBException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Finds the FoundationDB error code in what a failed operation threw. */
public final class FdbErrorCodes {
    private FdbErrorCodes() {
    }

    public static int codeOf(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof FDBException f) {
            return f.getCode();
        }
        throw new AssertionError("expected a FoundationDB error, got " + t, t);
    }
}
