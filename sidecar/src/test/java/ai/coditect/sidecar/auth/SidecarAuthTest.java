package ai.coditect.sidecar.auth;

import ai.coditect.shared.ids.Ids;
import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the workspace's owner, with a valid token of an active session, gets through the sidecar — and a refused
 * request or upgrade never reaches a backend.
 */
class SidecarAuthTest {
    private SidecarFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_SESSION_RECHECK", "500ms");
            env.put("CODITECT_SESSION_CACHE_ACTIVE", "2s");
            env.put("CODITECT_SESSION_CACHE_INACTIVE", "1s");
            return env;
        });
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private Map<String, String> badTokens() throws Exception {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("malformed", "not-a-jwt");
        tokens.put("expired", fixture.platform.token(fixture.owner, fixture.tenant, fixture.session,
                Instant.now().minus(Duration.ofMinutes(5))));
        tokens.put("wrong owner", fixture.platform.token(Ids.newId(), fixture.tenant, fixture.session));
        tokens.put("wrong tenant", fixture.platform.token(fixture.owner, Ids.newId(), fixture.session));
        String revokedSession = Ids.newId();
        fixture.platform.end(revokedSession, "session_revoked");
        tokens.put("revoked", fixture.platform.token(fixture.owner, fixture.tenant, revokedSession));
        var foreign = new RSAKeyGenerator(2048).keyID("foreign").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("foreign")
                .type(new com.nimbusds.jose.JOSEObjectType("at+jwt")).build(),
                new JWTClaimsSet.Builder().issuer("https://auth.test").audience("coditect").subject(fixture.owner)
                        .claim("tid", fixture.tenant).claim("sid", fixture.session).issueTime(new Date())
                        .expirationTime(Date.from(Instant.now().plusSeconds(600))).jwtID("x").build());
        forged.sign(new RSASSASigner(foreign));
        tokens.put("foreign key", forged.serialize());
        return tokens;
    }

    private static final Map<String, Integer> STATUS = Map.of("malformed", 401, "expired", 401, "wrong owner", 403,
            "wrong tenant", 403, "revoked", 401, "foreign key", 401, "missing", 401);

    @Test
    void badTokensAreRefusedOverHttpAndNeverReachTheBackend() throws Exception {
        Map<String, String> tokens = badTokens();
        tokens.put("missing", null);
        int before = fixture.theia.httpRequests.get();
        for (Map.Entry<String, String> e : tokens.entrySet()) {
            HttpResponse<String> r = fixture.get("/index.html", e.getValue());
            assertEquals(STATUS.get(e.getKey()), r.statusCode(), e.getKey() + ": " + r.body());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        }
        assertEquals(before, fixture.theia.httpRequests.get(), "no refused request reached Theia");
        HttpResponse<String> ok = fixture.get("/index.html", fixture.token());
        assertEquals(200, ok.statusCode(), "and the owner's token does get through");
    }

    @Test
    void badTokensAreRefusedBeforeAnyBackendConnectionIsOpened() throws Exception {
        Map<String, String> tokens = badTokens();
        tokens.put("missing", null);
        int theiaBefore = fixture.theia.upgrades.get();
        int codi2Before = fixture.codi2.upgrades.get();
        for (Map.Entry<String, String> e : tokens.entrySet()) {
            for (String path : new String[] {"/socket", "/codi2"}) {
                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> fixture.connect(path, e.getValue(), new Recorder()), e.getKey());
                WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class,
                        refused.getCause());
                assertEquals(STATUS.get(e.getKey()), handshake.getResponse().statusCode(), e.getKey());
            }
        }
        assertEquals(theiaBefore, fixture.theia.upgrades.get(), "no upgrade reached Theia");
        assertEquals(codi2Before, fixture.codi2.upgrades.get(), "no upgrade reached CODI2");
    }

    @Test
    void aForeignOriginCannotOpenAWebSocket() throws Exception {
        int before = fixture.theia.upgrades.get();
        ExecutionException refused = assertThrows(ExecutionException.class, () -> fixture.http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + fixture.token())
                .header("Origin", "https://evil.example.com")
                .buildAsync(fixture.wsUrl("/socket"), new Recorder()).get(10, TimeUnit.SECONDS));
        assertEquals(403, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
        assertEquals(before, fixture.theia.upgrades.get());
        WebSocket sameOrigin = fixture.http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + fixture.token())
                .header("Origin", "http://127.0.0.1:" + fixture.sidecar.port())
                .buildAsync(fixture.wsUrl("/socket"), new Recorder()).get(10, TimeUnit.SECONDS);
        sameOrigin.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void revokingTheSessionClosesItsOpenSocketsWith1008WithinTheBound() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/socket", recorder);
        ws.sendText("still here", true);
        assertEquals("still here", recorder.nextText());
        Instant revokedAt = Instant.now();
        fixture.platform.end(fixture.session, "session_revoked");
        String close = recorder.closed.get(60, TimeUnit.SECONDS);
        assertTrue(close.startsWith("1008:"), close);
        System.out.printf("revoked session's socket closed after %d ms%n",
                Duration.between(revokedAt, Instant.now()).toMillis());
        HttpResponse<String> after = fixture.get("/index.html", fixture.token());
        assertEquals(401, after.statusCode());
        assertTrue(after.body().contains("session_revoked"));
    }

    @Test
    void aFirstNavigationWithATokenSetsTheCookieAndDropsTheTokenFromTheUrl() throws Exception {
        String token = fixture.token();
        HttpResponse<String> first = fixture.http.send(java.net.http.HttpRequest.newBuilder(
                fixture.url("/ide/?access_token=" + token + "&folder=/home/project")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, first.statusCode());
        assertEquals("/ide/?folder=/home/project", first.headers().firstValue("location").orElseThrow());
        String cookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(cookie.startsWith("coditect_token=" + token + ";"), cookie);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), cookie);
        assertTrue(!cookie.contains("Secure"), "plain http: no Secure flag");

        HttpResponse<String> secure = fixture.http.send(java.net.http.HttpRequest.newBuilder(
                fixture.url("/?access_token=" + token)).header("X-Forwarded-Proto", "https").build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(secure.headers().firstValue("set-cookie").orElseThrow().contains("; Secure"));
        assertEquals("/", secure.headers().firstValue("location").orElseThrow());

        HttpResponse<String> withCookie = fixture.http.send(java.net.http.HttpRequest.newBuilder(
                fixture.url("/echo-headers")).header("Cookie", "coditect_token=" + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withCookie.statusCode());
        assertTrue(!withCookie.body().contains("coditect_token"), "the sidecar's cookie is not forwarded");

        Recorder recorder = new Recorder();
        fixture.http.newWebSocketBuilder().header("Cookie", "coditect_token=" + token)
                .buildAsync(fixture.wsUrl("/socket"), recorder).get(10, TimeUnit.SECONDS).sendText("cookie ws", true);
        assertEquals("cookie ws", recorder.nextText());

        HttpResponse<String> badLink = fixture.http.send(java.net.http.HttpRequest.newBuilder(
                fixture.url("/?access_token=garbage")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, badLink.statusCode());
        assertNull(badLink.headers().firstValue("set-cookie").orElse(null));
    }

    @Test
    void sessionAnswersAreCachedBriefly() throws Exception {
        String token = fixture.token();
        int before = fixture.platform.sessionChecks.get();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, fixture.get("/index.html", token).statusCode());
        }
        assertTrue(fixture.platform.sessionChecks.get() - before <= 2,
                "20 requests, " + (fixture.platform.sessionChecks.get() - before) + " session checks");
    }
}
