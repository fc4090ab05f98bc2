package ai.coditect.functions.auth;

import ai.coditect.functions.http.ClientAddress;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Keyspace.AttemptWindow;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The limits of {@link LoginPolicy}, kept in FoundationDB so they hold across function instances. Counting per
 * email and client address, and per address, means a flood of wrong passwords from one address shuts out that
 * address only; the per-email count (from anywhere) only spaces attempts out, so the owner is slowed during a
 * distributed attack but never locked out. Checked before the password hash, so refused attempts cost no hash.
 */
final class LoginThrottle {
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

    /**
     * Refuses an attempt over any limit with {@link AuthException.Reason#RATE_LIMITED}, else counts it against
     * its email and address up front (so parallel attempts cannot slip past that limit; a success clears it).
     */
    void admit(String email, String address) {
        Instant now = now();
        Duration length = policy.window();
        Transactions.run(db, tr -> {
            // The shared counts are read without a conflict: others' failures move them all the time, and a limit
            // that is off by a concurrent attempt or two still holds.
            AttemptWindow ofAddress = AttemptWindows.at(tr.snapshot().get(keys.loginFailuresOfAddress(address)).join(),
                    length, now);
            AttemptWindow ofEmail = AttemptWindows.at(tr.snapshot().get(keys.loginFailures(email)).join(), length, now);
            byte[] pairKey = keys.loginFailures(email, address);
            AttemptWindow pair = AttemptWindows.at(tr.get(pairKey).join(), length, now);
            if (known(address) && ofAddress.attempts() >= policy.maxFailuresPerAddress()) {
                throw limited("Too many failed logins from this address; try again later.",
                        ofAddress.remaining(length, now));
            }
            if (pair.attempts() >= policy.maxFailures()) {
                throw limited("Too many failed logins for this email; try again later.", pair.remaining(length, now));
            }
            Duration pause = policy.pauseAfter(ofEmail.attempts());
            if (!pause.isZero() && ofEmail.last() != null && now.isBefore(ofEmail.last().plus(pause))) {
                throw limited("This account is under a burst of failed logins; wait a moment between attempts.",
                        Duration.between(now, ofEmail.last().plus(pause)));
            }
            tr.set(pairKey, Keyspace.ATTEMPT_WINDOW.encode(pair.plusOne(now)));
            return null;
        });
    }

    /** Counts a failed attempt against its address and, when the email has an account, against the email. */
    void failed(String email, String address, boolean accountExists) {
        Instant now = now();
        Duration length = policy.window();
        Transactions.run(db, tr -> {
            if (known(address)) {
                byte[] addressKey = keys.loginFailuresOfAddress(address);
                tr.set(addressKey, Keyspace.ATTEMPT_WINDOW.encode(
                        AttemptWindows.at(tr.get(addressKey).join(), length, now).plusOne(now)));
            }
            if (accountExists) {
                byte[] emailKey = keys.loginFailures(email);
                tr.set(emailKey, Keyspace.ATTEMPT_WINDOW.encode(
                        AttemptWindows.at(tr.get(emailKey).join(), length, now).plusOne(now)));
            }
            return null;
        });
    }

    /**
     * Takes back an attempt that {@link #admit} counted but that never reached the password (the hashing gate
     * turned it away), so that a busy service does not use up the owner's attempts.
     */
    void notTried(String email, String address) {
        Transactions.run(db, tr -> {
            byte[] pairKey = keys.loginFailures(email, address);
            byte[] stored = tr.get(pairKey).join();
            AttemptWindow window = stored == null ? null : Keyspace.ATTEMPT_WINDOW.decode(stored);
            if (window != null && window.attempts() > 0) {
                tr.set(pairKey, Keyspace.ATTEMPT_WINDOW.encode(window.minusOne()));
            }
            return null;
        });
    }

    /** A success starts the count of its email and address over; the shared counts stay. */
    void succeeded(String email, String address) {
        Transactions.run(db, tr -> {
            tr.clear(keys.loginFailures(email, address));
            return null;
        });
    }

    /**
     * Requests without a usable address all share one key; limiting that key across emails would let anyone
     * shut everyone out (the local platform, or a wrong {@code CODITECT_FORWARDED_HOP}), so it is not.
     */
    private static boolean known(String address) {
        return !ClientAddress.UNKNOWN.equals(address);
    }

    private static AuthException limited(String detail, Duration retryAfter) {
        return new AuthException(AuthException.Reason.RATE_LIMITED, detail, retryAfter);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
