package ai.coditect.knowledge;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad upload or query gets a clear problem+json 4xx and leaves nothing stored. */
class KnowledgeBadInputTest {
    static TestPlatform platform;
    static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start();
        token = platform.signup("kb-bad@example.com", "correct horse battery staple").path("accessToken").asText();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    static TestPlatform.Reply send(String query, String contentType, byte[] body) {
        return platform.send(platform.builder("/v1/knowledge/documents" + query, token)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static void refused(TestPlatform.Reply r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(code, r.code(), r.body());
        assertTrue(r.json().path("detail").asText().length() > 10, r.body());
        assertEquals(0, platform.get("/v1/knowledge/documents", token).json().path("documents").size(),
                "nothing may be stored");
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void unsupportedTypesAre415() {
        refused(send("?path=photo.png", "image/png", new byte[] {1, 2, 3}), 415, "unsupported_media_type");
        refused(send("?path=data.bin", "application/octet-stream", "hello".getBytes()), 415,
                "unsupported_media_type");
        refused(send("?path=report.pdf", "application/pdf", "%PDF-1.4".getBytes()), 415, "unsupported_media_type");
    }

    @Test
    void oversizedDocumentsAndArchivesAre413() throws IOException {
        byte[] big = "a ".repeat(600_000).getBytes();
        refused(send("?path=big.txt", "text/plain", big), 413, "payload_too_large");
        refused(send("", "application/zip", zip(Map.of("docs/big.md", big))), 413, "payload_too_large");
        // an archive bomb: 120 files of 1 MiB of zeros-like text compress to almost nothing
        Map<String, byte[]> bomb = new java.util.LinkedHashMap<>();
        byte[] mib = "x".repeat(1_000_000).getBytes();
        for (int i = 0; i < 120; i++) {
            bomb.put("f" + i + ".txt", mib);
        }
        refused(send("", "application/zip", zip(bomb)), 413, "payload_too_large");
    }

    @Test
    void archivesWithTraversalOrTooManyEntriesAre400() throws IOException {
        refused(send("", "application/zip", zip(Map.of("../../etc/passwd.txt", "x".getBytes()))), 400,
                "unsafe_archive_path");
        refused(send("", "application/zip", zip(Map.of("/abs/readme.md", "x".getBytes()))), 400,
                "unsafe_archive_path");
        Map<String, byte[]> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 2_001; i++) {
            many.put("n/" + i + ".txt", "note".getBytes());
        }
        refused(send("", "application/zip", zip(many)), 400, "too_many_entries");
        refused(send("", "application/zip", "not a zip at all".getBytes()), 400, "empty_document");
        refused(send("", "application/gzip", "not gzip".getBytes()), 400, "unreadable_archive");
    }

    @Test
    void tarArchivesAreCheckedTheSameWay() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new GZIPOutputStream(bytes))) {
            byte[] body = "x".getBytes();
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("docs/../../evil.md", true);
            entry.setSize(body.length);
            tar.putArchiveEntry(entry);
            tar.write(body);
            tar.closeArchiveEntry();
        }
        refused(send("", "application/gzip", bytes.toByteArray()), 400, "unsafe_archive_path");
    }

    @Test
    void emptyOrBinaryTextIs400() {
        refused(send("?path=empty.md", "text/markdown", "  \n\n ".getBytes()), 400, "empty_document");
        refused(send("?path=nul.txt", "text/plain", new byte[] {'a', 0, 'b'}), 400, "binary_content");
        refused(send("?path=latin1.txt", "text/plain", new byte[] {'c', 'a', 'f', (byte) 0xe9}), 400,
                "binary_content");
        refused(send("", "text/plain", "no path".getBytes()), 400, "invalid_request");
        refused(send("?path=../up.md", "text/markdown", "# x\n\ny".getBytes()), 400, "invalid_request");
        refused(send("?path=a.md&collection=Bad%20Name", "text/markdown", "# x\n\ny".getBytes()), 400,
                "invalid_request");
    }

    @Test
    void kAndBudgetOutOfRangeAre400() {
        refused(platform.post("/v1/knowledge/search", Json.string(Map.of("query", "x", "k", 0)), token), 400,
                "invalid_k");
        refused(platform.post("/v1/knowledge/search", Json.string(Map.of("query", "x", "k", 1000)), token), 400,
                "invalid_k");
        refused(platform.post("/v1/knowledge/search", Json.string(Map.of("query", "x", "k", "ten")), token), 400,
                "invalid_k");
        refused(platform.post("/v1/knowledge/search", Json.string(Map.of("query", " ")), token), 400,
                "invalid_request");
        refused(platform.post("/v1/knowledge/context", Json.string(Map.of("query", "x", "budgetTokens", 10)), token),
                400, "invalid_budget");
        refused(platform.post("/v1/knowledge/context", Json.string(Map.of("query", "x", "budgetTokens", 10_000_000)),
                token), 400, "invalid_budget");
        refused(platform.post("/v1/knowledge/search", "{not json", token), 400, "malformed_json");
        refused(platform.get("/v1/knowledge/documents/nope", token), 404, "document_not_found");
    }
}
