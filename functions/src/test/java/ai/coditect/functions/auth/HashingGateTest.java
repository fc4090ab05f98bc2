package ai.coditect.functions.auth;

import ai.coditect.shared.testing.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Password hashes run a bounded number at a time, and callers beyond a short queue are refused at once. */
class HashingGateTest {
    @Test
    void callersBeyondTheTurnsAndTheShortQueueAreRefusedAtOnce() throws Exception {
        HashingGate gate = new HashingGate(1, Duration.ofMinutes(5));
        HeldGate held = HeldGate.hold(gate);
        Thread waiter1 = Thread.ofVirtual().start(() -> gate.run(() -> null));
        Thread waiter2 = Thread.ofVirtual().start(() -> gate.run(() -> null));
        Eventually.holds(Duration.ofSeconds(30), () -> gate.waiting() == 2, "two callers queue for the turn");

        AuthException refused = assertThrows(AuthException.class, () -> gate.run(() -> "hash"));
        assertEquals(AuthException.Reason.BUSY, refused.reason());
        assertEquals(Duration.ofSeconds(1), refused.retryAfter());
        assertEquals(2, gate.waiting(), "the refused caller never joined the queue");
        held.close();
        waiter1.join();
        waiter2.join();
        assertEquals("hash", gate.run(() -> "hash"), "a free gate lets the next one through");
    }
}
