package ai.coditect.functions.local;

import ai.coditect.functions.testing.TestPlatform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local platform serves the built web app at / next to the API, as static hosting does in production. */
class WebAppTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private TestPlatform platform;

    @TempDir
    Path dist;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dist.resolve("index.html"), "<!doctype html><title>Coditect</title>");
        Files.createDirectories(dist.resolve("assets"));
        Files.writeString(dist.resolve("assets/index-abc123.js"), "console.log('app')");
        Files.writeString(dist.getParent().resolve("outside-" + dist.getFileName() + ".txt"), "not for the web");
        System.setProperty("coditect.web.dir", dist.toString());
        platform = TestPlatform.start();
    }

    @AfterEach
    void stop() {
        platform.close();
        System.clearProperty("coditect.web.dir");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(platform.url(path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAppIsServedAtTheRootAndForEachOfItsPages() throws Exception {
        for (String path : new String[] {"/", "/login", "/workspace", "/ide"}) {
            HttpResponse<String> page = get(path);
            assertEquals(200, page.statusCode(), path);
            assertEquals("<!doctype html><title>Coditect</title>", page.body(), path);
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
            assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""), path);
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
        }
    }

    @Test
    void hashedAssetsAreCachedForGoodAndMissingFilesAre404() throws Exception {
        HttpResponse<String> js = get("/assets/index-abc123.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(js.headers().firstValue("Cache-Control").orElse("").contains("immutable"));
        assertEquals(404, get("/assets/missing.js").statusCode());
    }

    @Test
    void nothingOutsideTheAppsFolderIsServed() throws Exception {
        assertFalse(get("/assets/../../outside-" + dist.getFileName() + ".txt").body().contains("not for the web"));
        assertFalse(get("/%2e%2e/outside-" + dist.getFileName() + ".txt").body().contains("not for the web"));
    }

    @Test
    void theApiKeepsItsOwnAnswers() throws Exception {
        HttpResponse<String> unknown = get("/v1/nothing-here");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertEquals(200, get("/healthz").statusCode());
    }
}
