package ai.coditect.functions.auth;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Brute-force protection, kept in FoundationDB so it holds across function instances. Every attempt counts as
 * a failure before the password is checked (so parallel guesses cannot slip past the limit) and a success
 * clears the count. After {@code maxFailures} attempts within the window, attempts are refused until the window
 * has passed.
 */
final class LoginThrottle {
    /** The value at {@code login_failures/(email)}. */
    record Window(Instant start, int failures) {
    }

    private final Database db;
    private final Keyspace keys;
    private final Clock clock;
    private final LoginPolicy policy;

    LoginThrottle(Database db, Keyspace keys, Clock clock, LoginPolicy policy) {
        this.db = db;
        this.keys = keys;
        this.clock = clock;
        this.policy = policy;
    }

    /** Counts an attempt for {@code email}, or refuses it with {@link AuthException.Reason#RATE_LIMITED}. */
    void attempt(String email) {
        byte[] key = keys.loginFailures(email);
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Transactions.run(db, tr -> {
            byte[] stored = tr.get(key).join();
            Window window = stored == null ? null : Json.read(stored, Window.class);
            if (window == null || !now.isBefore(window.start().plus(policy.window()))) {
                window = new Window(now, 0);
            }
            if (window.failures() >= policy.maxFailures()) {
                Duration wait = Duration.between(now, window.start().plus(policy.window()));
                throw new AuthException(AuthException.Reason.RATE_LIMITED,
                        "Too many failed logins for this email; try again later.", wait);
            }
            tr.set(key, Json.bytes(new Window(window.start(), window.failures() + 1)));
            return null;
        });
    }

    /** A successful login: the count starts over. */
    void succeeded(String email) {
        byte[] key = keys.loginFailures(email);
        Transactions.run(db, tr -> {
            tr.clear(key);
            return null;
        });
    }
}
