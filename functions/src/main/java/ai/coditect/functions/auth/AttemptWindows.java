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
    /** The value at a {@code login_failures} or {@code signup_attempts} key; cleanup reads {@code start}. */
    record Window(Instant start, int attempts) {
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
            byte[] stored = tr.get(key).join();
            Window window = stored == null ? null : Json.read(stored, Window.class);
            if (window == null || !now.isBefore(window.start().plus(length))) {
                window = new Window(now, 0);
            }
            if (window.attempts() >= max) {
                Duration wait = Duration.between(now, window.start().plus(length));
                throw new AuthException(AuthException.Reason.RATE_LIMITED, refusal, wait);
            }
            tr.set(key, Json.bytes(new Window(window.start(), window.attempts() + 1)));
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
