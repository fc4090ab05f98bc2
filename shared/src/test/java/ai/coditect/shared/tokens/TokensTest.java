package ai.coditect.shared.tokens;

import ai.coditect.shared.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {
    private final TestClock clock = TestClock.atNow();

    @TempDir
    Path dir;

    @Test
    void anIssuedTokenVerifiesWithItsClaims() throws Exception {
        SigningKeys keys = SigningKeys.generate();
        TokenIssuer issuer = new TokenIssuer(keys, "https://auth.example", "coditect", clock);
        Instant expiry = clock.instant().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = issuer.issue("user-1", "tenant-1", "session-1", expiry);
        AccessToken verified = TokenVerifier.withKeys(keys.publicKeys(), "https://auth.example", "coditect", clock)
                .verify(token);
        assertEquals("user-1", verified.userId());
        assertEquals("tenant-1", verified.tenantId());
        assertEquals("session-1", verified.sessionId());
        assertEquals(expiry, verified.expiresAt());
    }

    @Test
    void expiryAllowsSixtySecondsOfSkewAndNoMore() throws Exception {
        SigningKeys keys = SigningKeys.generate();
        String token = new TokenIssuer(keys, "iss", "aud", clock).issue("u", "t", "s", clock.instant().plusSeconds(10));
        TokenVerifier verifier = TokenVerifier.withKeys(keys.publicKeys(), "iss", "aud", clock);
        clock.advance(Duration.ofSeconds(69));
        verifier.verify(token);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(InvalidTokenException.Reason.EXPIRED,
                assertThrows(InvalidTokenException.class, () -> verifier.verify(token)).reason());
    }

    @Test
    void afterRotationOldTokensStillVerifyAndTheNewKeySigns() throws Exception {
        SigningKeys before = SigningKeys.generate();
        String old = new TokenIssuer(before, "iss", "aud", clock).issue("u", "t", "s", clock.instant().plusSeconds(600));
        SigningKeys after = SigningKeys.parse(before.rotated().toPrivateJson());
        String fresh = new TokenIssuer(after, "iss", "aud", clock).issue("u", "t", "s", clock.instant().plusSeconds(600));
        TokenVerifier verifier = TokenVerifier.withKeys(after.publicKeys(), "iss", "aud", clock);
        verifier.verify(old);
        verifier.verify(fresh);
        assertTrue(fresh.contains(".") && !after.signingKey().getKeyID().equals(before.signingKey().getKeyID()));
        assertEquals(2, after.publicKeys().getKeys().size());
        assertThrows(InvalidTokenException.class,
                () -> TokenVerifier.withKeys(before.publicKeys(), "iss", "aud", clock).verify(fresh),
                "a verifier that does not know the new key refuses its tokens");
    }

    @Test
    void generatedKeysAreKeptOwnerOnlyAndReusedOnTheNextStart() throws Exception {
        Path file = dir.resolve("keys/signing-keys.json");
        SigningKeys first = SigningKeys.loadOrGenerate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(first.signingKey().getKeyID(), SigningKeys.loadOrGenerate(file).signingKey().getKeyID());
        assertFalse(first.publicKeys().getKeys().getFirst().isPrivate());
    }

    @Test
    void weakOrIncompleteKeySetsAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.parse("{\"keys\":[]}"));
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.parse("not json"));
        String publicOnly = SigningKeys.generate().publicKeys().toString();
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.parse(publicOnly));
        String small = new com.nimbusds.jose.jwk.JWKSet(new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(1024, true)
                .keyID("small").generate()).toString(false);
        assertThrows(IllegalArgumentException.class, () -> SigningKeys.parse(small));
    }
}
