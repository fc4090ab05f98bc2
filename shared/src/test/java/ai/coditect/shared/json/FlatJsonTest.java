package ai.coditect.shared.json;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FlatJsonTest {
    private static Map<String, Object> sample() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("depth", 2);
        nested.put("left out", null);
        nested.put("inner", Map.of("ok", true));
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("quote", "she said \"hi\" \\ back/slash");
        object.put("control", "line\nbreak\ttab\r\u0000nul\u0001\u001f\u007f");
        object.put("unicode", "é ü 日本 😀 \u2028\u2029");
        object.put("nothing", null);
        object.put("int", Integer.MIN_VALUE);
        object.put("long", Long.MAX_VALUE);
        object.put("double", 0.1 + 0.2);
        object.put("whole double", 3.0);
        object.put("nan", Double.NaN);
        object.put("infinite", Double.NEGATIVE_INFINITY);
        object.put("yes", true);
        object.put("empty", "");
        object.put("nested", nested);
        object.put("empty map", Map.of());
        // handed to the mapper
        object.put("list", List.of(1, "two", Map.of("three", 3)));
        object.put("instant", Instant.parse("2026-11-29T21:00:00.123Z"));
        object.put("duration", Duration.ofMillis(1500));
        object.put("float", 1.5f);
        object.put("keys not strings", Map.of(1, "one"));
        return object;
    }

    @Test
    void writesWhatTheMapperWritesForTheSameMap() {
        Map<String, Object> object = sample();
        assertEquals(Json.string(object), FlatJson.string(object));
        assertArrayEquals(Json.bytes(object), FlatJson.bytes(object));
    }

    @Test
    void everySingleValueIsWrittenAsTheMapperWritesIt() {
        sample().forEach((name, value) -> {
            Map<String, Object> one = new HashMap<>();
            one.put(name, value);
            assertEquals(Json.string(one), FlatJson.string(one), name);
        });
    }

    @Test
    void bytesAreUtf8() {
        Map<String, Object> object = Map.of("text", "日本 é");
        assertEquals("{\"text\":\"日本 é\"}", new String(FlatJson.bytes(object), StandardCharsets.UTF_8));
    }
}
