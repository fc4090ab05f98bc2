package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A saturated hashing gate as clients see it over HTTP: 503 {@code busy} with {@code Retry-After}, at no cost to them. */
class BusyHashingTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int SIGNUPS_PER_ADDRESS = 3;

    private final TestPlatform platform = TestPlatform.startWithSettings(TestClock.atNow(), Map.of(
            "CODITECT_HASH_CONCURRENCY", "1",
            "CODITECT_SIGNUP_MAX_PER_ADDRESS", Integer.toString(SIGNUPS_PER_ADDRESS)));

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void signupsTurnedAwayByABusyGateGet503WithRetryAfterAndLeaveTheAddressItsWholeQuota() throws Exception {
        platform.signup("owner@example.com", PASSWORD);
        try (HeldGate held = HeldGate.hold(platform.platform().auth().authService().hashingGate())) {
            // More turned-away signups than the address may make: each would have used up one.
            for (int i = 0; i <= SIGNUPS_PER_ADDRESS; i++) {
                assertBusy(signup("turned-away-" + i + "@example.com"));
            }
            assertBusy(platform.post("/v1/auth/login",
                    Json.string(Map.of("email", "owner@example.com", "password", PASSWORD)), null));
        }
        platform.login("owner@example.com", PASSWORD);
        // The owner's own signup above counted; the busy ones did not.
        for (int i = 1; i < SIGNUPS_PER_ADDRESS; i++) {
            Reply r = signup("later-" + i + "@example.com");
            assertEquals(201, r.status(), "signup " + i + " after the gate was free: " + r.body());
        }
        Reply over = signup("one-too-many@example.com");
        assertEquals(429, over.status(), over.body());
        assertEquals("rate_limited", over.code(), "real signups still count");
    }

    private Reply signup(String email) {
        return platform.post("/v1/auth/signup", Json.string(Map.of("email", email, "password", PASSWORD)), null);
    }

    private static void assertBusy(Reply r) {
        assertEquals(503, r.status(), r.body());
        assertEquals("busy", r.code());
        assertEquals("1", r.header("Retry-After"));
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), r.header("Content-Type"));
    }
}
