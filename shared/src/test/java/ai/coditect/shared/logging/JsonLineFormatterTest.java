package ai.coditect.shared.logging;

import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineFormatterTest {
    private final JsonLineFormatter formatter = new JsonLineFormatter();

    private JsonNode format(LogRecord record) throws Exception {
        String line = formatter.format(record);
        assertTrue(line.endsWith(System.lineSeparator()));
        assertEquals(1, line.lines().count(), "one line per record");
        return Json.mapper().readTree(line);
    }

    @Test
    void aRecordIsOneJsonLineInCloudLoggingsShapeWithItsFieldsAndRequestId() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "cleanup finished");
        record.setLoggerName("ai.coditect.test");
        record.setParameters(new Object[] {LogFields.of("deleted", 3, "millis", 42L)});
        JsonNode[] line = new JsonNode[1];
        RequestContext.run("req-1", () -> line[0] = format(record));
        assertEquals("WARNING", line[0].get("severity").asText());
        assertEquals("cleanup finished", line[0].get("message").asText());
        assertEquals("req-1", line[0].get("requestId").asText());
        assertEquals(3, line[0].get("deleted").asInt());
        assertEquals(42, line[0].get("millis").asInt());
        assertTrue(line[0].has("time"));
    }

    @Test
    void bearerTokensAndJwtsAreRedactedWhereverALibraryLogsThem() throws Exception {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLWJ5dGVz";
        LogRecord record = new LogRecord(Level.FINE, "header Authorization: Bearer opaque-token-123 and " + jwt);
        record.setThrown(new IllegalStateException("bad token " + jwt));
        JsonNode line = format(record);
        assertEquals("DEBUG", line.get("severity").asText());
        assertFalse(line.toString().contains("opaque-token-123"));
        assertFalse(line.toString().contains("c2lnbmF0dXJlLWJ5dGVz"));
        assertTrue(line.get("message").asText().contains("Bearer [redacted]"));
    }

    @Test
    void fieldValuesAreWrittenExactlyAsTheJsonMapperWritesThem() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("count", 2);
        nested.put("absent", null);
        nested.put("path", "C:\\work\\\"quoted\"");
        LogRecord record = new LogRecord(Level.INFO, "tab\there, \"quotes\", a newline\nand \u0001");
        record.setLoggerName("ai.coditect.test");
        record.setParameters(new Object[] {LogFields.of("millis", 42L, "ratio", 0.25, "ok", true, "nested", nested,
                "nothing", null, "text", "é 😀 \u001f")});
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("severity", "INFO");
        expected.put("message", record.getMessage());
        expected.put("time", Instant.ofEpochMilli(record.getMillis()).toString());
        expected.put("logger", "ai.coditect.test");
        expected.putAll(((LogFields) record.getParameters()[0]).values());
        assertEquals(Json.string(expected) + System.lineSeparator(), formatter.format(record));
    }
}
