package ai.coditect.functions.auth;

import ai.coditect.shared.json.Json;
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
    /**
     * The value at an attempt key ({@code login_failures…}, {@code signup_attempts}): when the window started, the
     * attempts in it and the latest of them. Cleanup reads {@code start}.
     */
    record Window(Instant start, int attempts, Instant last) {
        /** The window at {@code key} as of {@code now}: a fresh one when none is stored or the stored one passed. */
        static Window at(byte[] stored, Duration length, Instant now) {
            Window window = stored == null ? null : Json.read(stored, Window.class);
            return window == null || !now.isBefore(window.start().plus(length)) ? new Window(now, 0, null) : window;
        }

        Window plusOne(Instant now) {
            return new Window(start, attempts + 1, now);
        }

        Duration remaining(Duration length, Instant now) {
            return Duration.between(now, start.plus(length));
        }
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
            Window window = Window.at(tr.get(key).join(), length, now);
            if (window.attempts() >= max) {
                throw new AuthException(AuthException.Reason.RATE_LIMITED, refusal, window.remaining(length, now));
            }
            tr.set(key, Json.bytes(window.plusOne(now)));
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
