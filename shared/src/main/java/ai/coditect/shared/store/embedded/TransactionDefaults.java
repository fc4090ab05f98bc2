package ai.coditect.shared.store.embedded;

import java.util.Set;

/**
 * Transaction settings that the database's options give every new transaction: timeout (0 = none), retry limit
 * (-1 = none), maximum retry delay and size limit.
 */
record TransactionDefaults(long timeoutMillis, long retryLimit, long maxRetryDelayMillis, long sizeLimit) {
    static final TransactionDefaults FOUNDATIONDB = new TransactionDefaults(0, -1, Limits.MAX_BACKOFF_MILLIS,
            Limits.TRANSACTION_BYTES);

    /** Transaction options that only tune performance, priority or logging on a real cluster. */
    private static final Set<Integer> HARMLESS_TRANSACTION_OPTIONS = Set.of(10, 20, 21, 23, 52, 110, 120, 130, 200,
            201, 401, 402, 403, 404, 405, 406, 505, 507, 508, 509, 510, 511, 700, 701, 702, 711, 712, 800, 801, 900,
            1000, 1101);
    /** Database options of the same kind. */
    private static final Set<Integer> HARMLESS_DATABASE_OPTIONS = Set.of(10, 20, 21, 22, 405, 504, 505, 506, 701,
            702);

    TransactionDefaults withTimeout(long millis) {
        return new TransactionDefaults(millis, retryLimit, maxRetryDelayMillis, sizeLimit);
    }

    TransactionDefaults withRetryLimit(long limit) {
        return new TransactionDefaults(timeoutMillis, limit, maxRetryDelayMillis, sizeLimit);
    }

    TransactionDefaults withMaxRetryDelay(long millis) {
        return new TransactionDefaults(timeoutMillis, retryLimit, millis, sizeLimit);
    }

    TransactionDefaults withSizeLimit(long bytes) {
        return new TransactionDefaults(timeoutMillis, retryLimit, maxRetryDelayMillis,
                bytes <= 0 ? Limits.TRANSACTION_BYTES : Math.min(bytes, Limits.TRANSACTION_BYTES));
    }

    /**
     * Accepts an option that changes nothing an application could observe here; any other option would change
     * semantics the engine does not implement, so it is refused by name.
     */
    static void requireHarmless(int code, String kind) {
        Set<Integer> harmless = kind.equals("database") ? HARMLESS_DATABASE_OPTIONS : HARMLESS_TRANSACTION_OPTIONS;
        if (!harmless.contains(code)) {
            throw EmbeddedTransaction.unsupported(kind + " option " + code);
        }
    }
}
