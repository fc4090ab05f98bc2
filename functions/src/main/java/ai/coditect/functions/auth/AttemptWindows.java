package ai.coditect.functions.auth;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Keyspace.AttemptWindow;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Counted attempts in fixed windows, kept in FoundationDB so a limit holds across function instances: login
 * failures per email, signups per client address. An attempt counts before the expensive work it guards (so
 * parallel attempts cannot slip past the limit); once {@code max} attempts fall in a window, more are refused
 * until it has passed.
 */
final class AttemptWindows {
    /** The window stored at an attempt key as of {@code now}: a fresh one when none is stored or it has passed. */
    static AttemptWindow at(byte[] stored, Duration length, Instant now) {
        return AttemptWindow.at(stored == null ? null : Keyspace.ATTEMPT_WINDOW.decode(stored), length, now);
    }

    private final Database db;
    private final Clock clock;

    AttemptWindows(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Counts an attempt at {@code key}, or refuses it with {@link AuthException.Reason#RATE_LIMITED}. */
    void count(byte[] key, int max, Duration length, String refusal) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Transactions.run(db, tr -> {
            AttemptWindow window = at(tr.get(key).join(), length, now);
            if (window.attempts() >= max) {
                throw new AuthException(AuthException.Reason.RATE_LIMITED, refusal, window.remaining(length, now));
            }
            tr.set(key, Keyspace.ATTEMPT_WINDOW.encode(window.plusOne(now)));
            return null;
        });
    }

    /** Takes back one attempt counted at {@code key} in its current window: one that was turned away untried. */
    void takeBack(byte[] key, Duration length) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Transactions.run(db, tr -> {
            byte[] stored = tr.get(key).join();
            AttemptWindow window = stored == null ? null : Keyspace.ATTEMPT_WINDOW.decode(stored);
            if (window != null && !window.passed(length, now) && window.attempts() > 0) {
                tr.set(key, Keyspace.ATTEMPT_WINDOW.encode(window.minusOne()));
            }
            return null;
        });
    }

    /** Starts the count at {@code key} over (a login that succeeded). */
    void clear(byte[] key) {
        Transactions.run(db, tr -> {
            tr.clear(key);
            return null;
        });
    }
}
