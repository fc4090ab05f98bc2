package ai.coditect.knowledge;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.KeyValue;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The knowledge base over real HTTP: upload, indexing through the event bus, hybrid search, cited context, delete. */
class KnowledgeFlowTest {
    static final String GUIDE = """
            # Deploying the gateway

            The gateway is the front door of the platform.

            ## Configuring the port

            The gateway listens on port 8080 unless the PORT variable names another. Behind a load balancer,
            set CODITECT_FORWARDED_HOP to 2 so the client address is read from the right hop.

            ## Rotating signing keys

            Signing keys rotate by adding a new key first in the JWK set; the newest key signs and all keys verify.
            Remove an old key only after every token it signed has expired.

            ## Troubleshooting timeouts

            When requests time out after sixty seconds, the proxy in front closes idle connections. Lower the ping
            interval of the sidecar below the proxy's idle timeout.
            """;

    static TestPlatform platform;
    static String tokenA;
    static String tokenB;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start();
        tokenA = platform.signup("kb-a@example.com", "correct horse battery staple").path("accessToken").asText();
        tokenB = platform.signup("kb-b@example.com", "correct horse battery staple").path("accessToken").asText();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    static TestPlatform.Reply upload(String token, String path, String collection, String contentType, byte[] body) {
        String query = "?path=" + path + (collection == null ? "" : "&collection=" + collection);
        return platform.send(platform.builder("/v1/knowledge/documents" + query, token)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static void awaitIndexing() throws InterruptedException {
        assertTrue(platform.bus().awaitIdle(Duration.ofSeconds(60)), "indexing did not finish");
    }

    static JsonNode search(String token, Map<String, Object> body) {
        TestPlatform.Reply r = platform.post("/v1/knowledge/search", Json.string(body), token);
        assertEquals(200, r.status(), r.body());
        return r.json().path("hits");
    }

    @Test
    void uploadedDocumentIsIndexedAndAnswersQuestionsWithCitations() throws Exception {
        TestPlatform.Reply r = upload(tokenA, "ops/gateway.md", "ops", "text/markdown", GUIDE.getBytes());
        assertEquals(202, r.status(), r.body());
        JsonNode doc = r.json().path("documents").get(0);
        assertEquals("queued", doc.path("status").asText());
        assertEquals("Deploying the gateway", doc.path("title").asText());
        String id = doc.path("id").asText();

        awaitIndexing();
        JsonNode indexed = platform.get("/v1/knowledge/documents/" + id, tokenA).json().path("document");
        assertEquals("indexed", indexed.path("status").asText(), indexed.toString());
        assertTrue(indexed.path("chunks").asInt() >= 3, indexed.toString());

        JsonNode hits = search(tokenA, Map.of("query", "how do I rotate the signing keys?", "k", 3));
        assertFalse(hits.isEmpty());
        JsonNode top = hits.get(0);
        assertEquals(id, top.path("documentId").asText(), hits.toString());
        assertEquals("ops/gateway.md", top.path("path").asText());
        assertTrue(top.path("text").asText().contains("Signing keys rotate"), top.toString());
        assertEquals(List.of("Deploying the gateway", "Rotating signing keys"),
                Json.mapper().convertValue(top.path("headingPath"), List.class));
        assertEquals(top.path("text").asText(), GUIDE.substring(top.path("start").asInt(), top.path("end").asInt()));
        assertTrue(top.path("retrievers").toString().contains("vector"), top.toString());
        assertTrue(top.path("retrievers").toString().contains("keyword"), top.toString());

        TestPlatform.Reply context = platform.post("/v1/knowledge/context",
                Json.string(Map.of("query", "why do requests time out after sixty seconds?", "budgetTokens", 300)),
                tokenA);
        assertEquals(200, context.status(), context.body());
        String block = context.json().path("context").asText();
        assertTrue(block.startsWith("[1] ops/gateway.md"), block);
        assertTrue(block.contains("idle connections"), block);
        assertTrue(context.json().path("tokens").asInt() <= 300);
        assertEquals(id, context.json().path("citations").get(0).path("documentId").asText());
    }

    @Test
    void anotherTenantNeverSeesTheDocuments() throws Exception {
        upload(tokenA, "secret/plan.md", "private", "text/markdown",
                "# Plan\n\nThe quarterly zebra migration starts in March.".getBytes());
        awaitIndexing();
        assertFalse(search(tokenA, Map.of("query", "zebra migration", "k", 5)).isEmpty());
        JsonNode other = search(tokenB, Map.of("query", "zebra migration", "k", 5));
        for (JsonNode hit : other) {
            assertFalse(hit.path("text").asText().contains("zebra"), hit.toString());
        }
        List<?> listed = Json.mapper().convertValue(platform.get("/v1/knowledge/documents", tokenB).json()
                .path("documents"), List.class);
        assertTrue(listed.isEmpty(), listed.toString());
    }

    @Test
    void unchangedResubmissionChangesNothingAndDeleteRemovesEveryTrace() throws Exception {
        byte[] text = "# Notes\n\nThe backup runs nightly at two.\n".getBytes();
        String id = upload(tokenA, "notes.md", "notes", "text/markdown", text).json().path("documents").get(0)
                .path("id").asText();
        awaitIndexing();
        JsonNode again = upload(tokenA, "notes.md", "notes", "text/markdown", text).json().path("documents").get(0);
        assertEquals(id, again.path("id").asText());
        assertFalse(again.path("changed").asBoolean());
        assertEquals("indexed", again.path("status").asText());

        assertEquals(204, platform.delete("/v1/knowledge/documents/" + id, tokenA).status());
        assertEquals(404, platform.get("/v1/knowledge/documents/" + id, tokenA).status());
        awaitIndexing();
        String tenant = platform.get("/v1/auth/session", tokenA).json().path("session").path("tenantId").asText();
        Keyspace keys = platform.platform().keyspace();
        List<KeyValue> left = Transactions.read(platform.platform().database(), tr ->
                tr.getRange(keys.knowledgeRange(tenant)).asList().join());
        for (KeyValue kv : left) {
            String key = com.apple.foundationdb.tuple.ByteArrayUtil.printable(kv.getKey());
            assertFalse(key.contains(id), "left behind: " + key);
            assertFalse(key.contains("nightly"), "left behind: " + key);
        }
        for (JsonNode hit : search(tokenA, Map.of("query", "backup nightly", "k", 10))) {
            assertFalse(hit.path("documentId").asText().equals(id));
        }
    }

    @Test
    void aFolderUploadedAsZipIsIndexedAndItsImagesSkipped() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("handbook/onboarding.md"));
            zip.write("# Onboarding\n\nNew hires get a laptop and a pager on day one.".getBytes());
            zip.putNextEntry(new java.util.zip.ZipEntry("handbook/Pager.java"));
            zip.write("public class Pager {\n    void page(String who) {\n        System.out.println(who);\n    }\n}\n"
                    .getBytes());
            zip.putNextEntry(new java.util.zip.ZipEntry("handbook/logo.png"));
            zip.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        }
        TestPlatform.Reply r = platform.send(platform.builder("/v1/knowledge/documents?collection=handbook", tokenA)
                .header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofByteArray(
                        bytes.toByteArray())));
        assertEquals(202, r.status(), r.body());
        assertEquals(2, r.json().path("documents").size());
        assertEquals("handbook/logo.png", r.json().path("skipped").get(0).path("path").asText());
        awaitIndexing();
        JsonNode hits = search(tokenA, Map.of("query", "what do new hires get on day one", "k", 3,
                "collection", "handbook"));
        assertEquals("handbook/onboarding.md", hits.get(0).path("path").asText());
    }

    @Test
    void platformDocsAreSharedAndReadOnly() throws Exception {
        java.nio.file.Path docs = java.nio.file.Files.createTempDirectory("platform-docs");
        java.nio.file.Files.writeString(docs.resolve("store.md"),
                "# Store\n\nThe embedded engine keeps a write-ahead log and checkpoints it every minute.");
        platform.extension(KnowledgeExtension.class).knowledge().service().indexPlatformDocs(docs);
        awaitIndexing();
        for (String token : List.of(tokenA, tokenB)) {
            JsonNode hits = search(token, Map.of("query", "write-ahead log checkpoints", "k", 3,
                    "collection", "platform-docs"));
            assertEquals("store.md", hits.get(0).path("path").asText());
            assertEquals("platform-docs", hits.get(0).path("collection").asText());
        }
        TestPlatform.Reply write = upload(tokenA, "x.md", "platform-docs", "text/markdown", "# X\n\ntext".getBytes());
        assertEquals(403, write.status(), write.body());
        assertEquals("read_only_collection", write.code());
    }

    @Test
    void requestsWithoutATokenAreRefused() {
        TestPlatform.Reply r = platform.post("/v1/knowledge/search", Json.string(Map.of("query", "x")), null);
        assertEquals(401, r.status());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(401, platform.send(HttpRequest.newBuilder(URI.create(platform.url("/v1/knowledge/documents")))
                .GET()).status());
    }
}
