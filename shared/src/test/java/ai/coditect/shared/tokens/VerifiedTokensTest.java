package ai.coditect.shared.tokens;

import ai.coditect.shared.testing.TestClock;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A token seen before skips parsing and the signature check, never the checks that depend on the time. */
class VerifiedTokensTest {
    private final TestClock clock = TestClock.atNow();

    @Test
    void aVerifiedTokenIsReusedUntilItsReuseTimeOrItsExpiryWhicheverComesFirst() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofMinutes(5));
        Instant now = clock.instant();
        ByteBuffer longLived = VerifiedTokens.key("a");
        ByteBuffer shortLived = VerifiedTokens.key("b");
        tokens.put(longLived, token(now.plus(Duration.ofHours(1))), null, now);
        tokens.put(shortLived, token(now.plusSeconds(10)), null, now);

        assertNotNull(tokens.get(longLived, now.plus(Duration.ofMinutes(5)).minusMillis(1)));
        assertNull(tokens.get(longLived, now.plus(Duration.ofMinutes(5))), "verified again after its reuse time");
        assertNotNull(tokens.get(shortLived, now.plusSeconds(10 + TokenVerifier.MAX_CLOCK_SKEW_SECONDS).minusMillis(1)));
        assertNull(tokens.get(shortLived, now.plusSeconds(10 + TokenVerifier.MAX_CLOCK_SKEW_SECONDS)),
                "verified again (and refused) once past its expiry and the skew");
    }

    @Test
    void theCacheNeverHoldsMoreThanItsCapacity() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofMinutes(5));
        Instant now = clock.instant();
        for (int i = 0; i < 1_000; i++) {
            tokens.put(VerifiedTokens.key("token-" + i), token(now.plus(Duration.ofHours(1))), null, now);
            assertTrue(tokens.size() <= 100, "size " + tokens.size());
        }
        assertNotNull(tokens.get(VerifiedTokens.key("token-999"), now), "the latest is kept");
    }

    @Test
    void aTamperedCopyOfATokenThatVerifiedIsStillRefused() throws Exception {
        SigningKeys keys = SigningKeys.generate();
        String token = new TokenIssuer(keys, "iss", "aud", clock).issue("u", "t", "s", clock.instant().plusSeconds(600));
        TokenVerifier verifier = TokenVerifier.withKeys(keys.publicKeys(), "iss", "aud", clock);
        verifier.verify(token);
        verifier.verify(token);
        char last = token.charAt(token.length() - 2);
        String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
        assertEquals(InvalidTokenException.Reason.INVALID,
                assertThrows(InvalidTokenException.class, () -> verifier.verify(tampered)).reason());
    }

    @Test
    void aTokenThatVerifiedIsRefusedWhenTheClockGoesBackBeforeItsIssueTime() throws Exception {
        SigningKeys keys = SigningKeys.generate();
        String token = new TokenIssuer(keys, "iss", "aud", clock).issue("u", "t", "s", clock.instant().plusSeconds(600));
        TokenVerifier verifier = TokenVerifier.withKeys(keys.publicKeys(), "iss", "aud", clock);
        verifier.verify(token);
        clock.advance(Duration.ofSeconds(-TokenVerifier.MAX_CLOCK_SKEW_SECONDS - 2));
        assertEquals(InvalidTokenException.Reason.INVALID,
                assertThrows(InvalidTokenException.class, () -> verifier.verify(token)).reason(),
                "issued in the future of this clock, as on the first verification");
    }

    @Test
    void aTokenThatVerifiedIsRefusedAsExpiredOnceItExpires() throws Exception {
        SigningKeys keys = SigningKeys.generate();
        String token = new TokenIssuer(keys, "iss", "aud", clock).issue("u", "t", "s", clock.instant().plusSeconds(600));
        TokenVerifier verifier = TokenVerifier.withKeys(keys.publicKeys(), "iss", "aud", clock);
        assertEquals("s", verifier.verify(token).sessionId());
        clock.advance(Duration.ofSeconds(600 + TokenVerifier.MAX_CLOCK_SKEW_SECONDS));
        assertEquals(InvalidTokenException.Reason.EXPIRED,
                assertThrows(InvalidTokenException.class, () -> verifier.verify(token)).reason());
    }

    private static AccessToken token(Instant expiresAt) {
        return new AccessToken("u", "t", "s", "j", expiresAt.minus(Duration.ofHours(1)), expiresAt);
    }
}
