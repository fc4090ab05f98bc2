package ai.coditect.functions.local;

import ai.coditect.functions.Platform;
import ai.coditect.functions.testing.ApiDocument;
import ai.coditect.functions.testing.TestPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/openapi.yaml is the platform's HTTP API: it has exactly the routes the functions and the local platform serve
 * (the knowledge base's are checked by its own module), and each documented operation answers over real HTTP with a
 * status and problem code documented for it.
 */
class ApiDocumentTest {
    private static final Predicate<String> OURS = path -> !path.startsWith("/v1/knowledge/");

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
        Platform p = platform.platform();
        Set<String> served = new TreeSet<>();
        served.addAll(p.auth().endpoints());
        served.addAll(p.jwks().endpoints());
        served.addAll(p.workspaces().endpoints());
        served.addAll(p.agents().operations());
        served.addAll(LocalGateway.endpoints());
        assertEquals(served, API.operations(OURS));
    }

    @Test
    void everyRefusalNamesItsProblemCodes() {
        List<String> gaps = new ArrayList<>();
        API.operations(path -> true).forEach(op -> gaps.addAll(API.refusalGaps(op)));
        assertEquals(List.of(), gaps);
    }

    @Test
    void everyOperationAnswersWithoutATokenAsDocumented() {
        API.operations(OURS).forEach(op -> API.probe(platform, op, null));
    }

    @Test
    void everyOperationAnswersAUserWithEmptyInputAsDocumented() {
        String token = platform.signup("api-document@example.com", "correct horse battery staple")
                .path("accessToken").asText();
        // Signing out ends the token, so those go last.
        API.operations(OURS).stream().sorted(Comparator.comparing((String op) -> op.contains("/logout")))
                .forEach(op -> API.probe(platform, op, token));
    }

    @Test
    void servesTheDocument() {
        TestPlatform.Reply r = API.probe(platform, "GET /openapi.yaml", null);
        assertEquals(200, r.status());
        assertEquals(true, r.body().startsWith("openapi: 3.1"), r.body());
    }
}
