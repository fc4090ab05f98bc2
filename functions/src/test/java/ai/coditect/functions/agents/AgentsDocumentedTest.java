package ai.coditect.functions.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/openapi.yaml and docs/agents.md say what the registry's routes and refusals are. */
class AgentsDocumentedTest {
    private static Path docs(String name) {
        Path here = Path.of("docs", name);
        return Files.exists(here) ? here : Path.of("..", "docs", name);
    }

    @Test
    void theApiDocumentHasExactlyTheRegistrysOperations() throws Exception {
        Set<String> routed;
        try (Registry r = new Registry()) {
            routed = new TreeSet<>(new AgentRoutes(r.registry, r.board, r.claims, null, AgentPolicy.DEFAULT)
                    .operations());
        }
        JsonNode api = new ObjectMapper(new YAMLFactory()).readTree(docs("openapi.yaml").toFile());
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = api.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/v1/agents") && !path.getKey().startsWith("/v1/tasks")) {
                continue;
            }
            path.getValue().fieldNames().forEachRemaining(method -> documented.add(
                    method.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }
        assertEquals(routed, documented);
    }

    @Test
    void everyRefusalCodeIsDocumented() throws Exception {
        String guide = Files.readString(docs("agents.md"));
        for (AgentsException.Reason reason : AgentsException.Reason.values()) {
            assertTrue(guide.contains("`" + reason.code() + "`"), reason.code() + " is missing from docs/agents.md");
        }
    }
}
