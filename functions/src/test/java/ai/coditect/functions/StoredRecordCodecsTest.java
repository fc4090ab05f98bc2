package ai.coditect.functions;

import ai.coditect.functions.auth.Session;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Keyspace.Part;
import ai.coditect.shared.store.MalformedValueException;
import ai.coditect.shared.store.ValueCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The records of the functions are stored by the one codec their subspace names; it refuses what it did not write. */
class StoredRecordCodecsTest {
    /** For each part holding records of the functions: a field given a value of the wrong type. */
    private static final Map<Part, String> WRONG_TYPE = Map.of(
            Part.USER, "{\"id\":\"u\",\"createdAt\":\"yesterday\"}",
            Part.SESSION, "{\"id\":\"s\",\"expiresAt\":[1]}",
            Part.WORKSPACE, "{\"id\":\"w\",\"status\":\"sleeping\"}",
            Part.AGENT, "{\"id\":\"a\",\"epoch\":\"first\"}",
            Part.TASK, "{\"id\":\"t\",\"priority\":\"high\"}",
            Part.TASK_HISTORY, "{\"seq\":\"next\"}");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSessionReadsBackAsWrittenAndInTheBytesItWasAlwaysStoredIn() {
        Instant now = Instant.parse("2026-11-29T10:15:30.123Z");
        Session s = new Session("s1", "t1", "u1", now, now.plusSeconds(3600), null, "curl/8");
        assertEquals(s, Session.CODEC.decode(Session.CODEC.encode(s)));
        assertArrayEquals(ai.coditect.shared.json.Json.bytes(s), Session.CODEC.encode(s));
        assertSame(Session.CODEC, Keyspace.record(Part.SESSION, Session.class), "one codec per record type");
    }

    @Test
    void everyRecordCodecRefusesWhatItDidNotWriteAndSaysWhatItExpected() {
        for (Map.Entry<Part, String> e : WRONG_TYPE.entrySet()) {
            ValueCodec<?> codec = e.getKey().codec();
            for (String bad : new String[] {"not json", "[1,2]", "\"a string\"", "null", "", e.getValue()}) {
                MalformedValueException refused = assertThrows(MalformedValueException.class,
                        () -> codec.decode(utf8(bad)), e.getKey() + " took " + bad);
                assertTrue(refused.getMessage().contains("record (JSON)"), refused.getMessage());
            }
        }
    }

    @Test
    void theWrongTypeIsNamed() {
        MalformedValueException e = assertThrows(MalformedValueException.class,
                () -> Part.WORKSPACE.codec().decode(utf8(WRONG_TYPE.get(Part.WORKSPACE))));
        assertTrue(e.getMessage().contains("a Workspace record (JSON)"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("sleeping"),
                "the offending value is named: " + e.getMessage());
    }
}
