package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.FDBException;

/**
 * The FoundationDB error codes the embedded engine raises, with FoundationDB's own messages, and the retry
 * predicate of {@code Transaction.onError} ({@link FDBException#isRetryable()} would load the native library).
 */
final class FdbErrors {
    static final int TRANSACTION_TOO_OLD = 1007;
    static final int FUTURE_VERSION = 1009;
    static final int NOT_COMMITTED = 1020;
    static final int COMMIT_UNKNOWN_RESULT = 1021;
    static final int TRANSACTION_CANCELLED = 1025;
    static final int TRANSACTION_TIMED_OUT = 1031;
    static final int ACCESSED_UNREADABLE = 1036;
    static final int PROCESS_BEHIND = 1037;
    static final int DATABASE_LOCKED = 1038;
    static final int TOO_MANY_WATCHES = 1101;
    static final int TAG_THROTTLED = 1213;
    static final int IO_ERROR = 1510;
    static final int CLIENT_INVALID_OPERATION = 2000;
    static final int KEY_OUTSIDE_LEGAL_RANGE = 2004;
    static final int INVERTED_RANGE = 2005;
    static final int USED_DURING_COMMIT = 2017;
    static final int NO_COMMIT_VERSION = 2021;
    static final int TRANSACTION_TOO_LARGE = 2101;
    static final int KEY_TOO_LARGE = 2102;
    static final int VALUE_TOO_LARGE = 2103;

    private FdbErrors() {
    }

    static FDBException error(int code) {
        return new FDBException(message(code), code);
    }

    /** Errors after which the whole transaction may simply be run again, as FoundationDB's onError decides. */
    static boolean isRetryable(int code) {
        return switch (code) {
            case TRANSACTION_TOO_OLD, FUTURE_VERSION, NOT_COMMITTED, COMMIT_UNKNOWN_RESULT, PROCESS_BEHIND,
                 DATABASE_LOCKED, TAG_THROTTLED, 1040, 1042, 1051 -> true;
            default -> false;
        };
    }

    static String message(int code) {
        return switch (code) {
            case TRANSACTION_TOO_OLD -> "Transaction is too old to perform reads or be committed";
            case FUTURE_VERSION -> "Request for future version";
            case NOT_COMMITTED -> "Transaction not committed due to conflict with another transaction";
            case COMMIT_UNKNOWN_RESULT -> "Transaction may or may not have committed";
            case TRANSACTION_CANCELLED -> "Operation aborted because the transaction was cancelled";
            case TRANSACTION_TIMED_OUT -> "Operation aborted because the transaction timed out";
            case ACCESSED_UNREADABLE -> "Read or wrote an unreadable key";
            case PROCESS_BEHIND -> "Storage process does not have recent mutations";
            case DATABASE_LOCKED -> "Database is locked";
            case TOO_MANY_WATCHES -> "Too many watches currently set";
            case IO_ERROR -> "Disk i/o operation failed";
            case CLIENT_INVALID_OPERATION -> "Invalid API call";
            case KEY_OUTSIDE_LEGAL_RANGE -> "Key outside legal range";
            case INVERTED_RANGE -> "Range begin key larger than end key";
            case USED_DURING_COMMIT -> "Operation issued while a commit was outstanding";
            case NO_COMMIT_VERSION -> "Transaction does not have a valid commit version";
            case TRANSACTION_TOO_LARGE -> "Transaction exceeds byte limit";
            case KEY_TOO_LARGE -> "Key length exceeds limit";
            case VALUE_TOO_LARGE -> "Value length exceeds limit";
            default -> "FoundationDB error " + code;
        };
    }
}
