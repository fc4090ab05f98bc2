package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.TestClock;
import ai.coditect.shared.tokens.SigningKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every way a token can be wrong is refused with 401 and the contract's code; a valid signature is never enough,
 * and no token reaches across tenants.
 */
class TokenSecurityTest {
    private static final String PASSWORD = "correct horse battery staple";
    private final TestClock clock = TestClock.atNow();
    private TestPlatform platform;
    private JsonNode ada;
    private RSAKey ourKey;

    @BeforeEach
    void start() throws Exception {
        platform = TestPlatform.start(clock, SessionPolicy.DEFAULT);
        ada = platform.signup("ada@example.com", PASSWORD);
        SigningKeys keys = platform.signingKeys();
        ourKey = keys.signingKey();
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    private String issuer() {
        return platform.issuer();
    }

    private JWTClaimsSet.Builder validClaims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder()
                .issuer(issuer())
                .audience("coditect")
                .subject(ada.at("/user/id").asText())
                .claim("tid", ada.at("/user/tenantId").asText())
                .claim("sid", ada.at("/session/id").asText())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .jwtID(Ids.newId());
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm alg, String kid, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(new JOSEObjectType("at+jwt")).build(),
                claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private String ours(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        return sign(change.apply(validClaims()).build(), JWSAlgorithm.RS256, ourKey.getKeyID(), new RSASSASigner(ourKey));
    }

    private void refused(String token, String code) {
        Reply r = platform.get("/v1/auth/session", token);
        assertEquals(401, r.status(), r.body());
        assertEquals(code, r.code(), r.body());
        assertEquals("Bearer realm=\"coditect\", error=\"invalid_token\"", r.header("WWW-Authenticate"));
    }

    @Test
    void aTokenWeMintedOurselvesIsAcceptedSoTheRefusalsBelowMeanSomething() throws Exception {
        assertEquals(200, platform.get("/v1/auth/session", ours(b -> b)).status());
    }

    @Test
    void unsignedTokensAreRefused() {
        refused(new PlainJWT(validClaims().build()).serialize(), "token_invalid");
    }

    @Test
    void hs256SignedWithThePublicKeyAsSecretIsRefused() throws Exception {
        byte[] secret = ourKey.toRSAPublicKey().getEncoded();
        refused(sign(validClaims().build(), JWSAlgorithm.HS256, ourKey.getKeyID(), new MACSigner(secret)), "token_invalid");
    }

    @Test
    void es256FromAForeignKeyIsRefused() throws Exception {
        ECKey foreign = new ECKeyGenerator(Curve.P_256).keyID(ourKey.getKeyID()).generate();
        refused(sign(validClaims().build(), JWSAlgorithm.ES256, ourKey.getKeyID(), new ECDSASigner(foreign)), "token_invalid");
    }

    @Test
    void ps256FromAForeignKeyIsRefused() throws Exception {
        RSAKey foreign = new RSAKeyGenerator(2048).keyID(ourKey.getKeyID()).generate();
        refused(sign(validClaims().build(), JWSAlgorithm.PS256, ourKey.getKeyID(), new RSASSASigner(foreign)), "token_invalid");
    }

    @Test
    void ps256WithOurOwnKeyIsRefusedToo() throws Exception {
        refused(sign(validClaims().build(), JWSAlgorithm.PS256, ourKey.getKeyID(), new RSASSASigner(ourKey)), "token_invalid");
    }

    @Test
    void anUnknownKeyIdIsRefused() throws Exception {
        RSAKey foreign = new RSAKeyGenerator(2048).keyID("someone-elses-key").generate();
        refused(sign(validClaims().build(), JWSAlgorithm.RS256, "someone-elses-key", new RSASSASigner(foreign)), "token_invalid");
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String[] parts = ours(b -> b).split("\\.");
        JsonNode other = platform.signup("mallory@example.com", PASSWORD);
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(ada.at("/user/id").asText(), other.at("/user/id").asText());
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        refused(forged, "token_invalid");
    }

    @Test
    void theWrongIssuerOrAudienceIsRefused() throws Exception {
        refused(ours(b -> b.issuer("https://evil.example.com")), "token_invalid");
        refused(ours(b -> b.audience("some-other-service")), "token_invalid");
    }

    @Test
    void anExpiredTokenIsRefusedAsAnExpiredSession() throws Exception {
        String token = ada.get("accessToken").asText();
        clock.advance(Duration.ofHours(12).plusMinutes(2));
        refused(token, "session_expired");
    }

    @Test
    void tokensNotYetValidAreRefused() throws Exception {
        refused(ours(b -> b.notBeforeTime(Date.from(clock.instant().plus(Duration.ofMinutes(5))))), "token_invalid");
        refused(ours(b -> b.issueTime(Date.from(clock.instant().plus(Duration.ofMinutes(5))))), "token_invalid");
    }

    @Test
    void missingClaimsAreRefused() throws Exception {
        refused(ours(b -> b.claim("sid", null)), "token_invalid");
        refused(ours(b -> b.claim("tid", 42)), "token_invalid");
    }

    @Test
    void aValidSignatureForARevokedSessionIsRefused() throws Exception {
        String token = ada.get("accessToken").asText();
        assertEquals(204, platform.post("/v1/auth/logout", null, token).status());
        refused(token, "session_revoked");
        refused(ours(b -> b), "session_revoked");
    }

    @Test
    void aValidSignatureForAnIdleExpiredSessionIsRefused() {
        String token = ada.get("accessToken").asText();
        clock.advance(Duration.ofHours(2).plusSeconds(1));
        refused(token, "session_expired");
    }

    @Test
    void aValidSignatureForADeletedUserIsRefused() {
        Keyspace keys = platform.platform().keyspace();
        platform.platform().database().run(tr -> {
            tr.clear(keys.user(ada.at("/user/tenantId").asText(), ada.at("/user/id").asText()));
            return null;
        });
        refused(ada.get("accessToken").asText(), "session_revoked");
    }

    @Test
    void aSessionIdThatWasNeverIssuedIsRefused() throws Exception {
        refused(ours(b -> b.claim("sid", Ids.newId())), "session_revoked");
    }

    @Test
    void aTokenCannotUseASessionOfAnotherUserOrTenant() throws Exception {
        JsonNode bob = platform.signup("bob@example.com", PASSWORD);
        refused(ours(b -> b.claim("sid", bob.at("/session/id").asText())), "session_revoked");
        refused(ours(b -> b.claim("tid", bob.at("/user/tenantId").asText()).claim("sid", bob.at("/session/id").asText())),
                "token_invalid");
    }

    @Test
    void nobodyCanRevokeSomeoneElsesSessionEvenKnowingItsId() {
        JsonNode bob = platform.signup("bob@example.com", PASSWORD);
        String bobSession = bob.at("/session/id").asText();
        Reply attempt = platform.delete("/v1/auth/sessions/" + bobSession, ada.get("accessToken").asText());
        assertEquals(404, attempt.status());
        assertEquals("session_not_found", attempt.code());
        assertEquals(200, platform.get("/v1/auth/session", bob.get("accessToken").asText()).status());
        JsonNode adaSessions = platform.get("/v1/auth/sessions", ada.get("accessToken").asText()).json().get("sessions");
        assertEquals(1, adaSessions.size(), "only Ada's own sessions are listed");
    }

    @Test
    void anOwnSessionCanBeRevokedById() {
        JsonNode second = platform.login("ada@example.com", PASSWORD);
        String adaToken = ada.get("accessToken").asText();
        assertEquals(204, platform.delete("/v1/auth/sessions/" + second.at("/session/id").asText(), adaToken).status());
        refused(second.get("accessToken").asText(), "session_revoked");
        assertEquals(200, platform.get("/v1/auth/session", adaToken).status());
    }
}
