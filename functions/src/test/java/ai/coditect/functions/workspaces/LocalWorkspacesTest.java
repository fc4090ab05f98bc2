package ai.coditect.functions.workspaces;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local backend end to end: signup provisions a workspace as a real sidecar process (the packaged jar), which
 * verifies the user's token against this platform's JWKS and session endpoint and proxies to a stand-in Theia.
 */
class LocalWorkspacesTest {
    private final TestClock clock = TestClock.atNow();
    private HttpServer theia;
    private TestPlatform platform;

    @BeforeEach
    void start() throws Exception {
        Path jar = Path.of(System.getProperty("coditect.sidecar.jar"));
        assertTrue(Files.isRegularFile(jar), "the sidecar jar is built before the functions are tested: " + jar);
        theia = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        theia.createContext("/", ex -> {
            byte[] body = "theia says hello".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        theia.start();
        platform = TestPlatform.startWithLocalWorkspaces(clock, jar,
                URI.create("http://127.0.0.1:" + theia.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        platform.close();
        theia.stop(0);
    }

    @Test
    void aSignedUpUserReachesTheirIdeThroughTheirOwnLocalSidecar() throws Exception {
        JsonNode signup = platform.signup("local@example.com", "correct horse battery staple");
        String token = signup.get("accessToken").asText();
        JsonNode ws = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Reply r = platform.get("/v1/workspaces/me", token);
            ws = r.json().get("workspace");
            if (ws != null && ws.get("status").asText().equals("running")) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals("running", ws.get("status").asText(), ws.toString());
        URI url = URI.create(ws.get("url").asText());
        assertTrue(url.toString().startsWith("http://127.0.0.1:"), url.toString());

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ide = http.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ide.statusCode(), ide.body());
        assertEquals("theia says hello", ide.body());
        HttpResponse<String> stranger = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, stranger.statusCode());

        assertEquals(202, platform.post("/v1/workspaces/me/stop", null, token).status());
        long stopDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String status = "";
        while (!status.equals("stopped") && System.nanoTime() < stopDeadline) {
            status = platform.get("/v1/workspaces/me", token).json().at("/workspace/status").asText();
            Thread.sleep(100);
        }
        assertEquals("stopped", status);
        assertThrows(java.io.IOException.class, () -> http.send(HttpRequest.newBuilder(url)
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()));
    }
}
