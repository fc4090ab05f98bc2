package ai.coditect.sidecar.bridge;

import ai.coditect.shared.json.Json;
import ai.coditect.sidecar.testing.SidecarFixture;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP through the sidecar to a real backend: methods, headers, streamed bodies both ways, status codes. */
class HttpProxyTest {
    private static SidecarFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = SidecarFixture.start();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(fixture.url(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + fixture.token());
    }

    @Test
    void everyMethodReachesTheBackendWithItsPathAndBody() throws Exception {
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")) {
            HttpRequest.BodyPublisher body = method.equals("GET") || method.equals("OPTIONS")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("12345");
            HttpResponse<String> r = fixture.http.send(request("/some/path?x=1").method(method, body).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), method);
            int expected = body.contentLength() > 0 ? 5 : 0;
            assertEquals("theia " + method + " /some/path " + expected, r.body(), method);
            assertEquals("theia", r.headers().firstValue("X-Backend").orElse(null));
        }
    }

    @Test
    void headersCrossExceptHopByHopOnesAndTheSidecarsCredentials() throws Exception {
        HttpResponse<String> r = fixture.http.send(request("/echo-headers?q=a%20b")
                .header("X-Custom", "kept")
                .header("Cookie", "theia-connection-token=t0k3n; coditect_token=secret; other=1")
                .header("Accept-Language", "de")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode seen = Json.mapper().readTree(r.body());
        assertEquals("kept", seen.get("x-custom").asText());
        assertEquals("de", seen.get("accept-language").asText());
        assertEquals("theia-connection-token=t0k3n; other=1", seen.get("cookie").asText());
        assertNull(seen.get("authorization"));
        assertEquals("127.0.0.1:" + fixture.sidecar.port(), seen.get("host").asText(), "Host kept for Theia's check");
        assertEquals("http", seen.get("x-forwarded-proto").asText());
        assertEquals("q=a%20b", seen.get(":query").asText());
        assertTrue(r.headers().allValues("set-cookie").stream().anyMatch(c -> c.startsWith("theia-connection-token=")),
                "Theia's cookie reaches the browser: " + r.headers().map());
    }

    @Test
    void largeUploadsAndDownloadsStreamBothWays() throws Exception {
        byte[] upload = new byte[24 * 1024 * 1024];
        new Random(7).nextBytes(upload);
        HttpResponse<String> up = fixture.http.send(request("/upload")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(upload)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, up.statusCode(), up.body());
        JsonNode result = Json.mapper().readTree(up.body());
        assertEquals(upload.length, result.get("bytes").asLong());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)),
                result.get("sha256").asText());

        long size = 64L * 1024 * 1024 + 13;
        HttpResponse<InputStream> down = fixture.http.send(request("/download?bytes=" + size).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, down.statusCode());
        long count = 0;
        boolean intact = true;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[65536];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                for (int i = 0; i < n && intact; i++) {
                    intact = buf[i] == (byte) ((count + i) * 31);
                }
                count += n;
            }
        }
        assertEquals(size, count);
        assertTrue(intact, "downloaded bytes are the backend's bytes");
    }

    @Test
    void statusCodesPassThrough() throws Exception {
        for (int code : List.of(201, 204, 301, 304, 400, 404, 409, 500, 503)) {
            HttpResponse<String> r = fixture.http.send(request("/status/" + code).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(code, r.statusCode());
            if (code != 204 && code != 304) {
                assertEquals("status " + code, r.body());
            }
        }
    }

    @Test
    void theSidecarsOwnEndpointsAreNotOnThePublicPort() throws Exception {
        HttpResponse<String> r = fixture.http.send(request("/metrics").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("theia GET /metrics 0", r.body(), "/metrics on the public port is Theia's, not the sidecar's");
        assertFalse(r.body().contains("coditect_sidecar"));
    }

    @Test
    void httpUnderCodi2GoesToCodi2WithoutThePrefixAndEverythingElseToTheia() throws Exception {
        HttpResponse<String> codi2 = fixture.http.send(request("/codi2/agents?x=1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("codi2 GET /agents 0", codi2.body());
        HttpResponse<String> root = fixture.http.send(request("/codi2").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("codi2 GET / 0", root.body());
        HttpResponse<String> theia = fixture.http.send(request("/codi2x/y").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("theia GET /codi2x/y 0", theia.body(), "only /codi2 and below is CODI2's");
    }
}
