package ai.coditect.shared.tokens;

import ai.coditect.shared.ids.Ids;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;

/** Signs access tokens (RS256 JWTs, {@code typ: at+jwt}) with the current signing key. */
public final class TokenIssuer {
    static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");

    private final JWSSigner signer;
    private final String keyId;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    public TokenIssuer(SigningKeys keys, String issuer, String audience, Clock clock) {
        try {
            this.signer = new RSASSASigner(keys.signingKey());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the signing key cannot sign", e);
        }
        this.keyId = keys.signingKey().getKeyID();
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    /** A token for {@code sessionId} of the user, valid until the session's absolute expiry. */
    public String issue(String userId, String tenantId, String sessionId, Instant expiresAt) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(userId)
                .claim("tid", tenantId)
                .claim("sid", sessionId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .jwtID(Ids.newId())
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).type(TYPE).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed", e);
        }
        return jwt.serialize();
    }
}
