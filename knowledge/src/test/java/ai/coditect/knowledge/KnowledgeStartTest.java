package ai.coditect.knowledge;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.knowledge.embedding.LocalEmbedder;
import ai.coditect.shared.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The platform with the knowledge base answers before the embedding model is loaded; the first search loads it. */
class KnowledgeStartTest {

    @Test
    void thePlatformAnswersBeforeTheModelIsLoadedAndTheFirstSearchLoadsIt() {
        try (TestPlatform platform = TestPlatform.start()) {
            String token = platform.signup("start@example.com", "correct horse battery staple").path("accessToken")
                    .asText();
            LocalEmbedder embedder = assertInstanceOf(LocalEmbedder.class, platform.extension(KnowledgeExtension.class).knowledge().embedder());
            assertFalse(embedder.loaded(), "the platform answered a signup without loading the model");
            assertEquals(200, platform.get("/v1/knowledge/documents", token).status());
            assertFalse(embedder.loaded());

            TestPlatform.Reply r = platform.post("/v1/knowledge/search", Json.string(Map.of("query", "anything")),
                    token);
            assertEquals(200, r.status(), r.body());
            assertTrue(embedder.loaded());
        }
    }
}
