package ai.coditect.shared.store.embedded;

/** FoundationDB's documented limits, which the embedded engine enforces with FoundationDB's error codes. */
final class Limits {
    static final int KEY_BYTES = 10_000;
    static final int VALUE_BYTES = 100_000;
    static final long TRANSACTION_BYTES = 10_000_000;
    static final long TRANSACTION_LIFETIME_MILLIS = 5_000;
    static final long INITIAL_BACKOFF_MILLIS = 10;
    static final long MAX_BACKOFF_MILLIS = 1_000;
    /** Keys at or above this byte are FoundationDB's system keyspace. */
    static final byte[] SYSTEM_KEYS_BEGIN = {(byte) 0xff};

    private Limits() {
    }
}
