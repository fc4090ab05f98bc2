package ai.coditect.knowledge.backup;

import ai.coditect.knowledge.KnowledgeDocument;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The export format of a tenant's knowledge: gzip-compressed JSON lines, a header line, then one line per document
 * with its record and text. Chunks and vectors are derived data and are rebuilt by indexing after an import, so
 * an export stays valid across models.
 */
public final class KnowledgeExport {
    public static final String FORMAT = "coditect-knowledge-export";
    public static final int VERSION = 1;

    private KnowledgeExport() {
    }

    /** One exported document. */
    public record Entry(KnowledgeDocument document, String text) {
    }

    public static byte[] write(List<Entry> entries, Instant exportedAt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Writer out = new OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
            out.write(Json.string(Map.of("format", FORMAT, "version", VERSION, "exportedAt", exportedAt.toString(),
                    "documents", entries.size())));
            out.write('\n');
            for (Entry e : entries) {
                out.write(Json.string(e));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static List<Entry> read(byte[] data) {
        List<Entry> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                new ByteArrayInputStream(data)), StandardCharsets.UTF_8))) {
            JsonNode header = Json.mapper().readTree(in.readLine());
            if (header == null || !FORMAT.equals(header.path("format").asText()) || header.path("version").asInt()
                    != VERSION) {
                throw new IllegalArgumentException("not a " + FORMAT + " of version " + VERSION);
            }
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(Json.mapper().readValue(line, Entry.class));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the export cannot be read: " + e.getMessage(), e);
        }
        return out;
    }
}
