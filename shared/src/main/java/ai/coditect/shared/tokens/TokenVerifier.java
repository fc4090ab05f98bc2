package ai.coditect.shared.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;

import java.net.URL;
import java.nio.ByteBuffer;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

/**
 * Verifies access tokens: RS256 only, a known key id, {@code typ: at+jwt}, our issuer and audience, the claims
 * we issue, and {@code exp}, {@code nbf} and {@code iat} with at most 60 seconds of clock skew. A valid token
 * only says who the caller claims to be; its session must still be checked. A token seen again is not parsed and
 * its signature not checked again (see {@link VerifiedTokens}); its times are, on every call.
 */
public final class TokenVerifier {
    static final int MAX_CLOCK_SKEW_SECONDS = 60;
    /** Distinct tokens remembered as verified: about 3 MB at most. */
    static final int VERIFIED_TOKENS = 10_000;
    private static final Duration UNTIL_EXPIRY = Duration.ofDays(365_000);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final VerifiedTokens verified;
    private final Clock clock;

    private TokenVerifier(JWKSource<SecurityContext> keys, String issuer, String audience, Clock clock,
                          Duration reuseFor) {
        this.verified = new VerifiedTokens(VERIFIED_TOKENS, reuseFor);
        this.clock = clock;
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TokenIssuer.TYPE));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(issuer, audience, clock));
    }

    /** Verifies with the given public keys (the functions, which hold the key set). */
    public static TokenVerifier withKeys(JWKSet publicKeys, String issuer, String audience, Clock clock) {
        return new TokenVerifier(new ImmutableJWKSet<>(publicKeys), issuer, audience, clock, UNTIL_EXPIRY);
    }

    /**
     * Verifies with the keys published at {@code jwksUrl}, cached for {@code cacheFor} and fetched again when a
     * token names a key id not in the cache (rotation), at most once every 30 seconds. A verified token is taken
     * as verified for at most {@code cacheFor} too, so a key withdrawn from the set is refused as soon as the set
     * is fetched again.
     */
    public static TokenVerifier withJwksUrl(URL jwksUrl, Duration cacheFor, String issuer, String audience,
                                            Clock clock) {
        JWKSource<SecurityContext> source = JWKSourceBuilder.<SecurityContext>create(jwksUrl,
                        new DefaultResourceRetriever(2_000, 2_000, 256 * 1024))
                .cache(cacheFor.toMillis(), 5_000)
                .rateLimited(30_000)
                .retrying(true)
                .build();
        return new TokenVerifier(source, issuer, audience, clock, cacheFor);
    }

    public AccessToken verify(String token) throws InvalidTokenException {
        return verify(token, clock.instant());
    }

    /** {@link #verify(String)} at {@code now}, the caller's reading of the verifier's clock (one read per request). */
    public AccessToken verify(String token, Instant now) throws InvalidTokenException {
        if (token == null || token.isBlank() || token.length() > 8_192) {
            throw new InvalidTokenException(InvalidTokenException.Reason.MALFORMED, "no token or an oversized one");
        }
        ByteBuffer key = VerifiedTokens.key(token);
        VerifiedTokens.Entry known = verified.get(key, now);
        if (known != null && timely(known, now)) {
            return known.token();
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException(InvalidTokenException.Reason.MALFORMED, "not a JWT: " + e.getMessage());
        } catch (ExpiredJWTException e) {
            throw new InvalidTokenException(InvalidTokenException.Reason.EXPIRED, "token expired");
        } catch (BadJOSEException | JOSEException e) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID, e.getMessage());
        }
        AccessToken access;
        try {
            access = new AccessToken(claims.getSubject(), claims.getStringClaim("tid"), claims.getStringClaim("sid"),
                    claims.getJWTID(), claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant());
        } catch (ParseException e) {
            throw new InvalidTokenException(InvalidTokenException.Reason.INVALID, "claims of the wrong type");
        }
        verified.put(key, access, claims.getNotBeforeTime() == null ? null : claims.getNotBeforeTime().toInstant(),
                now);
        return access;
    }

    /**
     * The time checks of {@link ClaimsVerifier} on an earlier verification: issued at most the skew ahead of now,
     * and past its not-before time less the skew (expiry bounds how long the entry is reused at all). When they
     * fail, the token goes through the full verification, which says why it is refused.
     */
    private static boolean timely(VerifiedTokens.Entry known, Instant now) {
        Instant latestIssue = now.plusSeconds(MAX_CLOCK_SKEW_SECONDS);
        return !known.token().issuedAt().isAfter(latestIssue)
                && (known.notBefore() == null || known.notBefore().minusSeconds(MAX_CLOCK_SKEW_SECONDS).isBefore(now));
    }

    /** Nimbus's claims checks on our clock, plus: not issued in the future, tenant and session claims present. */
    private static final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final Clock clock;

        ClaimsVerifier(String issuer, String audience, Clock clock) {
            super(Set.of(audience), new JWTClaimsSet.Builder().issuer(issuer).build(),
                    Set.of("iss", "aud", "sub", "tid", "sid", "iat", "exp", "jti"), null);
            this.clock = clock;
            setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            super.verify(claims, context);
            Instant latestIssue = clock.instant().plusSeconds(MAX_CLOCK_SKEW_SECONDS);
            if (claims.getIssueTime().toInstant().isAfter(latestIssue)) {
                throw new BadJWTException("JWT issued in the future");
            }
            if (!(claims.getClaim("tid") instanceof String) || !(claims.getClaim("sid") instanceof String)) {
                throw new BadJWTException("JWT tenant or session claim is not a string");
            }
        }
    }
}
