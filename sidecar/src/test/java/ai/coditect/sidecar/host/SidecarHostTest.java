package ai.coditect.sidecar.host;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.sidecar.testing.EchoBackend;
import ai.coditect.sidecar.testing.FakePlatform;
import ai.coditect.sidecar.testing.Recorder;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SidecarHostTest {
    private static final String TOKEN = "host-" + Ids.newId();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakePlatform platform;
    private EchoBackend theia;
    private EchoBackend codi2;
    private SidecarHost host;

    @BeforeEach
    void start() throws Exception {
        platform = new FakePlatform(Clock.systemUTC());
        theia = EchoBackend.start("theia");
        codi2 = EchoBackend.start("codi2");
        host = SidecarHost.start(0, TOKEN, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        host.close();
        theia.close();
        codi2.close();
        platform.close();
    }

    @Test
    void eachHostedSidecarServesOnlyItsOwnOwnerOnItsOwnPortAndStopsAlone() throws Exception {
        Owner alice = new Owner();
        Owner bob = new Owner();
        HttpResponse<String> a = put("ws-alice", alice.environment(), TOKEN);
        HttpResponse<String> b = put("ws-bob", bob.environment(), TOKEN);
        assertEquals(201, a.statusCode(), a.body());
        assertEquals(201, b.statusCode(), b.body());
        int alicePort = Json.tree(a.body().getBytes()).get("port").asInt();
        int bobPort = Json.tree(b.body().getBytes()).get("port").asInt();
        assertNotEquals(alicePort, bobPort);

        Recorder recorder = new Recorder();
        connect(alicePort, alice.token(), recorder).sendText("hello", true);
        assertEquals("hello", recorder.nextText(), "the owner's WebSocket reaches the backend through her sidecar");
        assertEquals(403, get(bobPort, alice.token()).statusCode(), "bob's sidecar refuses alice");
        assertEquals(200, get(bobPort, bob.token()).statusCode());

        HttpResponse<String> again = put("ws-alice", alice.environment(), TOKEN);
        assertEquals(200, again.statusCode(), "asking again for a running sidecar is answered with it");
        assertEquals(alicePort, Json.tree(again.body().getBytes()).get("port").asInt());
        JsonNode list = Json.tree(control("GET", "/v1/sidecars", null, TOKEN).body().getBytes());
        assertEquals(2, list.get("sidecars").size());

        assertEquals(204, control("DELETE", "/v1/sidecars/ws-alice", null, TOKEN).statusCode());
        assertEquals("1001:workspace shutting down", recorder.awaitClose(), "her sockets are closed as going away");
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", alicePort), 2_000);
            }
        });
        assertEquals(404, control("GET", "/v1/sidecars/ws-alice", null, TOKEN).statusCode());
        assertEquals(200, get(bobPort, bob.token()).statusCode(), "bob's sidecar is untouched");
    }

    @Test
    void theControlApiWantsItsTokenAndRefusesBadInputWithProblems() throws Exception {
        Owner alice = new Owner();
        HttpResponse<String> noToken = put("ws-1", alice.environment(), "wrong-" + TOKEN);
        assertEquals(401, noToken.statusCode());
        assertTrue(noToken.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        assertEquals(401, control("GET", "/v1/sidecars", null, null).statusCode());

        assertEquals(400, put("bad%20name", alice.environment(), TOKEN).statusCode());
        assertEquals(400, control("PUT", "/v1/sidecars/ws-1", "not json", TOKEN).statusCode());
        assertEquals(400, control("PUT", "/v1/sidecars/ws-1", "{\"environment\": {\"PORT\": 1}}", TOKEN)
                .statusCode(), "values are strings");
        Map<String, String> noOwner = alice.environment();
        noOwner.remove("CODITECT_OWNER_USER_ID");
        HttpResponse<String> invalid = put("ws-1", noOwner, TOKEN);
        assertEquals(400, invalid.statusCode());
        assertTrue(invalid.body().contains("invalid_config"), invalid.body());
        Map<String, String> open = alice.environment();
        open.put("HOST", "0.0.0.0");
        assertEquals(400, put("ws-1", open, TOKEN).statusCode(), "hosted sidecars listen on loopback only");
        assertEquals(0, host.hosted().size());
    }

    /** A workspace owner with a session the fake platform confirms. */
    private final class Owner {
        final String user = Ids.newId();
        final String tenant = Ids.newId();
        final String session = Ids.newId();

        String token() {
            return platform.token(user, tenant, session);
        }

        Map<String, String> environment() {
            Map<String, String> env = new HashMap<>();
            env.put("HOST", "127.0.0.1");
            env.put("PORT", "0");
            env.put("MANAGEMENT_PORT", "0");
            env.put("THEIA_URL", theia.httpUrl().toString());
            env.put("CODI2_URL", codi2.wsUrl().toString());
            env.put("CODITECT_OWNER_USER_ID", user);
            env.put("CODITECT_OWNER_TENANT_ID", tenant);
            env.put("CODITECT_JWKS_URL", platform.url("/.well-known/jwks.json").toString());
            env.put("CODITECT_SESSION_URL", platform.url("/v1/auth/session").toString());
            env.put("CODITECT_ACTIVITY_URL", platform.url("/v1/workspaces/activity").toString());
            env.put("CODITECT_ISSUER", FakePlatform.ISSUER);
            env.put("CODITECT_AGENT_TOKEN", FakePlatform.AGENT_TOKEN);
            return env;
        }
    }

    private HttpResponse<String> put(String name, Map<String, String> environment, String token) throws Exception {
        return control("PUT", "/v1/sidecars/" + name, Json.string(Map.of("environment", environment)), token);
    }

    private HttpResponse<String> control(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private WebSocket connect(int port, String token, Recorder recorder) throws Exception {
        return http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket"), recorder).get(20, TimeUnit.SECONDS);
    }
}
