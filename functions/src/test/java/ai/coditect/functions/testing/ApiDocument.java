package ai.coditect.functions.testing;

import ai.coditect.shared.ids.Ids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/openapi.yaml as tests read it: its operations ({@code METHOD /path}), and a probe that sends one over real
 * HTTP and fails unless the answer's status, media type and problem {@code code} are among those documented for it.
 */
public final class ApiDocument {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private final JsonNode document;
    private final JsonNode paths;

    private ApiDocument(JsonNode document) {
        this.document = document;
        this.paths = document.get("paths");
    }

    /** The document of the repository this test runs in (from the root or from a module). */
    public static ApiDocument load() {
        Path here = Path.of("docs", "openapi.yaml");
        Path file = Files.exists(here) ? here : Path.of("..", "docs", "openapi.yaml");
        try {
            return new ApiDocument(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documented operations whose path {@code paths} accepts, sorted. */
    public Set<String> operations(Predicate<String> paths) {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = this.paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            if (!paths.test(path.getKey())) {
                continue;
            }
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (METHODS.contains(method)) {
                    out.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            });
        }
        return out;
    }

    /** The operation object of {@code operation} ({@code METHOD /path}). */
    public JsonNode operation(String operation) {
        String[] parts = operation.split(" ", 2);
        JsonNode node = paths.path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT));
        if (node.isMissingNode()) {
            fail(operation + " is not documented");
        }
        return node;
    }

    /** Problems found in how {@code operation} documents its refusals: every 4xx/5xx needs its problem codes. */
    public List<String> refusalGaps(String operation) {
        JsonNode op = operation(operation);
        Set<String> refusals = new TreeSet<>();
        op.path("responses").fieldNames().forEachRemaining(status -> {
            if (status.compareTo("400") >= 0) {
                refusals.add(status);
            }
        });
        Set<String> coded = new TreeSet<>();
        op.path("x-problem-codes").fieldNames().forEachRemaining(coded::add);
        List<String> gaps = new ArrayList<>();
        if (!refusals.equals(coded)) {
            gaps.add(operation + " answers " + refusals + " but lists problem codes for " + coded);
        }
        return gaps;
    }

    /**
     * Sends {@code operation} with {@code token} (none when null), each path parameter a well-formed id that names
     * nothing, and {@code {}} as the JSON body of anything but a GET; asserts the answer is documented and returns it.
     */
    public TestPlatform.Reply probe(TestPlatform platform, String operation, String token) {
        String[] parts = operation.split(" ", 2);
        String path = parts[1].replaceAll("\\{[^}]+}", Ids.newId());
        HttpRequest.Builder request = platform.builder(path, token);
        if (parts[0].equals("GET")) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json")
                    .method(parts[0], HttpRequest.BodyPublishers.ofString("{}"));
        }
        TestPlatform.Reply reply = platform.send(request);
        String status = Integer.toString(reply.status());
        String said = operation + (token == null ? " without a token" : " with a token") + " answered " + status
                + " " + reply.body();
        JsonNode response = resolve(operation(operation).path("responses").path(status));
        assertTrue(!response.isMissingNode(), said + ": that status is not documented");
        String mediaType = mediaType(reply.header("Content-Type"));
        if (reply.status() >= 400) {
            assertEquals("application/problem+json", mediaType, said);
            Set<String> codes = new TreeSet<>();
            operation(operation).path("x-problem-codes").path(status).forEach(c -> codes.add(c.asText()));
            assertTrue(codes.contains(reply.code()), said + ": code " + reply.code() + " is not among " + codes);
        } else if (reply.status() != 204) {
            Set<String> types = new TreeSet<>();
            response.path("content").fieldNames().forEachRemaining(types::add);
            assertTrue(types.contains(mediaType), said + ": " + mediaType + " is not among " + types);
        }
        return reply;
    }

    /** {@code node}, or what its {@code $ref} (inside this document) points at. */
    private JsonNode resolve(JsonNode node) {
        String ref = node.path("$ref").asText("");
        return ref.startsWith("#/") ? document.at(ref.substring(1)) : node;
    }

    private static String mediaType(String contentType) {
        return contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }
}
