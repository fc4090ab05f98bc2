package ai.coditect.shared.store;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * {@code Database.run} and {@code read} — FoundationDB's retry loop — rethrowing the application's own
 * exceptions as themselves: the loop wraps whatever the transaction function throws in a
 * {@link CompletionException}.
 */
public final class Transactions {
    private Transactions() {
    }

    public static <T> T run(Database db, Function<? super Transaction, T> work) {
        try {
            return db.run(work);
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    public static <T> T read(Database db, Function<? super ReadTransaction, T> work) {
        try {
            return db.read(work);
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(CompletionException e) {
        Throwable cause = e.getCause();
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RuntimeException r ? r : e;
    }
}
