package ai.coditect.knowledge;

import ai.coditect.functions.testing.ApiDocument;
import ai.coditect.functions.testing.TestPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/openapi.yaml has exactly the knowledge base's routes, and each answers over real HTTP with a status and
 * problem code documented for it.
 */
class KnowledgeDocumentedTest {
    private static final Predicate<String> KNOWLEDGE = path -> path.startsWith("/v1/knowledge/");

    static final ApiDocument API = ApiDocument.load();
    static TestPlatform platform;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void documentsExactlyTheRoutesServed() {
        Set<String> served = new TreeSet<>(platform.extension(KnowledgeExtension.class).knowledge().routes().routes().endpoints());
        assertEquals(served, API.operations(KNOWLEDGE));
    }

    @Test
    void everyOperationAnswersWithoutATokenAsDocumented() {
        API.operations(KNOWLEDGE).forEach(op -> API.probe(platform, op, null));
    }

    @Test
    void everyOperationAnswersAUserWithEmptyInputAsDocumented() {
        String token = platform.signup("kb-api-document@example.com", "correct horse battery staple")
                .path("accessToken").asText();
        API.operations(KNOWLEDGE).forEach(op -> API.probe(platform, op, token));
    }
}
