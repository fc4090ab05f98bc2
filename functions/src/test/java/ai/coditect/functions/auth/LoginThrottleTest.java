package ai.coditect.functions.auth;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The login limits of one email and address, as the service applies them around the password hash. */
class LoginThrottleTest {
    private final TestClock clock = TestClock.atNow();
    private final Database db = EmbeddedDatabase.inMemory(clock);
    private final LoginThrottle throttle = new LoginThrottle(db, Keyspace.open(db, "test"), clock,
            new LoginPolicy(5, Duration.ofMinutes(15)));

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void attemptsTheHashingGateTurnedAwayDoNotUseUpTheOwnersAttempts() {
        for (int i = 0; i < 20; i++) {
            throttle.admit("owner@example.com", "203.0.113.5");
            throttle.notTried("owner@example.com", "203.0.113.5");
        }
        for (int i = 0; i < 5; i++) {
            throttle.admit("owner@example.com", "203.0.113.5");
        }
        AuthException limited = assertThrows(AuthException.class,
                () -> throttle.admit("owner@example.com", "203.0.113.5"));
        assertEquals(AuthException.Reason.RATE_LIMITED, limited.reason(), "real attempts still count");
    }
}
