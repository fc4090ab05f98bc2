package ai.coditect.sidecar.auth;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.TestClock;
import ai.coditect.sidecar.testing.FakePlatform;
import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the workspace's owner, with a valid token of a session the platform confirms as active, gets through the
 * sidecar — and a refused request or upgrade never reaches a backend.
 */
class SidecarAuthTest {
    private SidecarFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
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
        // a 200 from the platform that does not confirm this very session is a platform fault, never a yes
        tokens.put("200, empty body", platformSays(new byte[0]));
        tokens.put("200, garbled body", platformSays("{\"session\":".getBytes(StandardCharsets.UTF_8)));
        tokens.put("200, no session", platformSays(Json.bytes(Map.of("user", Map.of("id", fixture.owner)))));
        tokens.put("200, another session", platformSays(Json.bytes(Map.of("session",
                Map.of("id", Ids.newId(), "userId", fixture.owner, "tenantId", fixture.tenant)))));
        String sid = Ids.newId();
        fixture.platform.answerOk(sid, Json.bytes(Map.of("session",
                Map.of("id", sid, "userId", Ids.newId(), "tenantId", fixture.tenant))));
        tokens.put("200, another user", fixture.platform.token(fixture.owner, fixture.tenant, sid));
        String revokedByStatus = Ids.newId();
        fixture.platform.answerOk(revokedByStatus, Json.bytes(Map.of("session", Map.of("id", revokedByStatus,
                "userId", fixture.owner, "tenantId", fixture.tenant, "status", "revoked"))));
        tokens.put("200, status revoked", fixture.platform.token(fixture.owner, fixture.tenant, revokedByStatus));
        return tokens;
    }

    /** A token of a new session of the owner, about which the platform answers 200 with {@code body}. */
    private String platformSays(byte[] body) {
        String sid = Ids.newId();
        fixture.platform.answerOk(sid, body);
        return fixture.platform.token(fixture.owner, fixture.tenant, sid);
    }

    private static int expectedStatus(String kind) {
        return kind.startsWith("wrong") ? 403 : 401;
    }

    @Test
    void badTokensAreRefusedOverHttpAndNeverReachTheBackend() throws Exception {
        fixture = SidecarFixture.start();
        Map<String, String> tokens = badTokens();
        tokens.put("missing", null);
        int before = fixture.theia.httpRequests.get();
        for (Map.Entry<String, String> e : tokens.entrySet()) {
            HttpResponse<String> r = fixture.get("/index.html", e.getValue());
            assertEquals(expectedStatus(e.getKey()), r.statusCode(), e.getKey() + ": " + r.body());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        }
        assertEquals(before, fixture.theia.httpRequests.get(), "no refused request reached Theia");
        HttpResponse<String> ok = fixture.get("/index.html", fixture.token());
        assertEquals(200, ok.statusCode(), "and the owner's token does get through");
    }

    @Test
    void badTokensAreRefusedBeforeAnyBackendConnectionIsOpened() throws Exception {
        fixture = SidecarFixture.start();
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
                assertEquals(expectedStatus(e.getKey()), handshake.getResponse().statusCode(), e.getKey());
            }
        }
        assertEquals(theiaBefore, fixture.theia.upgrades.get(), "no upgrade reached Theia");
        assertEquals(codi2Before, fixture.codi2.upgrades.get(), "no upgrade reached CODI2");
    }

    @Test
    void aForeignOriginCannotOpenAWebSocket() throws Exception {
        fixture = SidecarFixture.start();
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
    void onlyThisWorkspacesOwnCookieIsAcceptedAndNoSidecarCookieReachesTheia() throws Exception {
        fixture = SidecarFixture.start();
        String token = fixture.token();
        String otherWorkspaces = "coditect_token_" + Ids.newId() + "=" + token;
        for (String cookie : List.of(otherWorkspaces, "coditect_token=" + token, "x" + fixture.cookieName() + "=" + token)) {
            HttpResponse<String> refused = fixture.http.send(HttpRequest.newBuilder(fixture.url("/index.html"))
                    .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode(), cookie.substring(0, cookie.indexOf('=')));
        }
        HttpResponse<String> own = fixture.http.send(HttpRequest.newBuilder(fixture.url("/echo-headers"))
                .header("Cookie", otherWorkspaces + "; theia-connection-token=t0k3n; " + fixture.cookieName() + "="
                        + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, own.statusCode(), own.body());
        assertEquals("theia-connection-token=t0k3n", Json.tree(own.body().getBytes(StandardCharsets.UTF_8))
                .get("cookie").asText(), "no workspace's token cookie is passed on to Theia");

        Recorder recorder = new Recorder();
        fixture.http.newWebSocketBuilder().header("Cookie", fixture.cookieName() + "=" + token)
                .buildAsync(fixture.wsUrl("/socket"), recorder).get(10, TimeUnit.SECONDS).sendText("cookie ws", true);
        assertEquals("cookie ws", recorder.nextText());
    }

    @Test
    void refusedBrowserNavigationsGetAPageWithASignInLinkAndProgramsGetProblemJson() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_SIGN_IN_URL", "https://app.example/login");
            return env;
        });
        String revoked = Ids.newId();
        fixture.platform.end(revoked, "session_revoked");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("no token", null);
        cases.put("another user's workspace", fixture.platform.token(Ids.newId(), fixture.tenant, Ids.newId()));
        cases.put("session ended", fixture.platform.token(fixture.owner, fixture.tenant, revoked));
        Map<String, String> headings = Map.of("no token", "Sign in to open this workspace",
                "another user's workspace", "This workspace belongs to someone else",
                "session ended", "You were signed out");
        Map<String, Integer> statuses = Map.of("no token", 401, "another user's workspace", 403, "session ended", 401);
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpRequest.Builder page = HttpRequest.newBuilder(fixture.url("/"))
                    .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
            HttpRequest.Builder api = HttpRequest.newBuilder(fixture.url("/")).header("Accept", "application/json");
            if (c.getValue() != null) {
                page.header("Authorization", "Bearer " + c.getValue());
                api.header("Authorization", "Bearer " + c.getValue());
            }
            HttpResponse<String> html = fixture.http.send(page.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(statuses.get(c.getKey()), html.statusCode(), c.getKey());
            assertTrue(html.headers().firstValue("content-type").orElse("").startsWith("text/html"), c.getKey());
            assertTrue(html.body().contains(headings.get(c.getKey())), c.getKey() + ": " + html.body());
            assertTrue(html.body().contains("href=\"https://app.example/login\""), html.body());
            if (c.getValue() != null) {
                assertFalse(html.body().contains(c.getValue()), "the page never shows the token");
            }
            HttpResponse<String> json = fixture.http.send(api.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(statuses.get(c.getKey()), json.statusCode());
            assertTrue(json.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        }
    }

    @Test
    void sessionAnswersAreCachedForTheConfiguredTimeAndConcurrentChecksShareOneQuestion() throws Exception {
        TestClock clock = TestClock.atNow();
        fixture = SidecarFixture.start(env -> env, clock);
        String token = fixture.token();
        int before = fixture.platform.sessionChecks.get();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, fixture.get("/index.html", token).statusCode());
        }
        assertEquals(1, fixture.platform.sessionChecks.get() - before, "20 requests within the cache time, one check");
        clock.advance(Duration.ofSeconds(4).minusMillis(1));
        assertEquals(200, fixture.get("/index.html", token).statusCode());
        assertEquals(1, fixture.platform.sessionChecks.get() - before, "the answer is still fresh");
        clock.advance(Duration.ofMillis(1));
        List<CompletableFuture<Integer>> concurrent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            concurrent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return fixture.get("/index.html", token).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Integer> f : concurrent) {
            assertEquals(200, f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(2, fixture.platform.sessionChecks.get() - before,
                "after 4 s the answer is asked for again, once for 20 concurrent requests");
    }

    @Test
    void theCookiesSecureFlagAndTheForwardedSchemeComeFromConfigurationNotFromTheRequest() throws Exception {
        fixture = SidecarFixture.start();
        String token = fixture.token();
        HttpResponse<String> spoofed = fixture.http.send(HttpRequest.newBuilder(fixture.url("/?access_token=" + token))
                .header("X-Forwarded-Proto", "https").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, spoofed.statusCode(), spoofed.body());
        assertFalse(spoofed.headers().firstValue("set-cookie").orElseThrow().contains("Secure"),
                "a header any peer can send does not make the sidecar https");
        HttpResponse<String> seen = fixture.http.send(HttpRequest.newBuilder(fixture.url("/echo-headers"))
                .header("Authorization", "Bearer " + token).header("X-Forwarded-Proto", "https").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("http", Json.tree(seen.body().getBytes(StandardCharsets.UTF_8)).get("x-forwarded-proto").asText());
        fixture.close();

        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_PUBLIC_SCHEME", "https");
            return env;
        });
        String again = fixture.token();
        HttpResponse<String> secure = fixture.http.send(HttpRequest.newBuilder(fixture.url("/?access_token=" + again))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(secure.headers().firstValue("set-cookie").orElseThrow().contains("; Secure"));
        HttpResponse<String> seenHttps = fixture.http.send(HttpRequest.newBuilder(fixture.url("/echo-headers"))
                .header("Authorization", "Bearer " + again).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("https", Json.tree(seenHttps.body().getBytes(StandardCharsets.UTF_8)).get("x-forwarded-proto").asText());
    }

    @Test
    void onlyTheWorkspaceItselfAndTheWebAppMayFrameIt() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_WEB_ORIGIN", "https://app.example");
            return env;
        });
        HttpResponse<String> proxied = fixture.get("/index.html", fixture.token());
        assertEquals(200, proxied.statusCode());
        assertEquals(List.of("frame-ancestors 'self' https://app.example"),
                proxied.headers().allValues("content-security-policy"));
        HttpResponse<String> theirs = fixture.get("/csp", fixture.token());
        String policies = String.join(", ", theirs.headers().allValues("content-security-policy"));
        assertTrue(policies.contains("default-src 'self'") && policies.contains("frame-ancestors 'self' https://app.example"),
                "Theia's own policy is kept and the framing rule added: " + policies);
        HttpResponse<String> refused = fixture.get("/index.html", null);
        assertEquals(List.of("frame-ancestors 'self' https://app.example"),
                refused.headers().allValues("content-security-policy"));
        fixture.close();

        fixture = SidecarFixture.start();
        assertEquals(List.of("frame-ancestors 'self' " + FakePlatform.ISSUER),
                fixture.get("/index.html", fixture.token()).headers().allValues("content-security-policy"),
                "by default the web app is where the tokens come from");
        fixture.close();

        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_WEB_ORIGIN", "none");
            return env;
        });
        assertEquals(List.of("frame-ancestors 'self'"),
                fixture.get("/index.html", fixture.token()).headers().allValues("content-security-policy"),
                "without a web app origin nobody else may frame the workspace");
    }

    @Test
    void aCookieAloneCannotChangeAnythingForAnotherSite() throws Exception {
        fixture = SidecarFixture.start();
        String cookie = fixture.cookieName() + "=" + fixture.token();
        int before = fixture.theia.httpRequests.get();
        HttpResponse<String> forged = fixture.http.send(HttpRequest.newBuilder(fixture.url("/upload"))
                .header("Cookie", cookie).header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("rm -rf")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode(), forged.body());
        assertTrue(forged.body().contains("origin_not_allowed"));
        assertEquals(before, fixture.theia.httpRequests.get(), "the forged request never reached Theia");

        HttpResponse<String> own = fixture.http.send(HttpRequest.newBuilder(fixture.url("/upload"))
                .header("Cookie", cookie).header("Origin", "http://127.0.0.1:" + fixture.sidecar.port())
                .POST(HttpRequest.BodyPublishers.ofString("save")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, own.statusCode(), "the workspace's own pages may");
        HttpResponse<String> bearer = fixture.http.send(HttpRequest.newBuilder(fixture.url("/upload"))
                .header("Authorization", "Bearer " + fixture.token()).header("Origin", "https://tool.example")
                .POST(HttpRequest.BodyPublishers.ofString("api")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, bearer.statusCode(), "a bearer token is never sent by a browser on its own");
        HttpResponse<String> read = fixture.http.send(HttpRequest.newBuilder(fixture.url("/index.html"))
                .header("Cookie", cookie).header("Origin", "https://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, read.statusCode(), "reading is not changing");
    }

    @Test
    void workspacesFramedFromAnotherSiteGetAPartitionedCookieAndOnlyOverHttps() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_PUBLIC_SCHEME", "https");
            env.put("CODITECT_COOKIE_SAMESITE", "none");
            return env;
        });
        HttpResponse<String> landing = fixture.http.send(HttpRequest.newBuilder(
                fixture.url("/?access_token=" + fixture.token())).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = landing.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(cookie.contains("SameSite=None") && cookie.contains("; Secure") && cookie.contains("; Partitioned"),
                cookie);
        Map<String, String> plain = new java.util.HashMap<>(Map.of("CODITECT_OWNER_USER_ID", "u",
                "CODITECT_OWNER_TENANT_ID", "t", "CODITECT_ISSUER", "https://auth.test",
                "CODITECT_JWKS_URL", "https://auth.test/jwks", "CODITECT_SESSION_URL", "https://auth.test/s",
                "CODITECT_ACTIVITY_URL", "https://auth.test/a", "CODITECT_AGENT_TOKEN", "x",
                "CODITECT_COOKIE_SAMESITE", "None", "CODITECT_PUBLIC_SCHEME", "http"));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ai.coditect.sidecar.SidecarConfig.fromEnvironment(plain));
        assertTrue(refused.getMessage().contains("CODITECT_PUBLIC_SCHEME=https"), refused.getMessage());
    }

    @Test
    void aCookieWhoseSessionEndedIsClearedAndOneThatCannotBeCheckedIsKept() throws Exception {
        fixture = SidecarFixture.start();
        String revoked = Ids.newId();
        fixture.platform.end(revoked, "session_revoked");
        String dead = fixture.platform.token(fixture.owner, fixture.tenant, revoked);
        HttpResponse<String> refused = fixture.http.send(HttpRequest.newBuilder(fixture.url("/"))
                .header("Accept", "text/html").header("Cookie", fixture.cookieName() + "=" + dead).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("You were signed out"), refused.body());
        String cleared = refused.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(cleared.startsWith(fixture.cookieName() + "=;") && cleared.contains("Max-Age=0"), cleared);

        HttpResponse<String> bearer = fixture.get("/", dead);
        assertEquals(401, bearer.statusCode());
        assertTrue(bearer.headers().firstValue("set-cookie").isEmpty(), "no cookie was sent, none is cleared");

        fixture.platform.close(); // the platform cannot be asked: nothing is known, so the cookie stays
        String live = fixture.platform.token(fixture.owner, fixture.tenant, Ids.newId());
        HttpResponse<String> unknown = fixture.http.send(HttpRequest.newBuilder(fixture.url("/"))
                .header("Cookie", fixture.cookieName() + "=" + live).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, unknown.statusCode(), unknown.body());
        assertTrue(unknown.headers().firstValue("set-cookie").isEmpty());
    }
}
