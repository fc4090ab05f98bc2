package ai.coditect.knowledge;

import ai.coditect.shared.net.FreePorts;
import ai.coditect.shared.tokens.SigningKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A deployed knowledge function submits the platform docs its image carries, as the local platform does. */
class KnowledgeDeployedTest {
    @TempDir
    Path docs;

    @Test
    void aDeployedInstanceSubmitsThePlatformDocsOfItsImageToTheSharedCollection() throws Exception {
        Files.writeString(docs.resolve("sidecar.md"), "# The sidecar\n\nIt bridges the browser to Theia.\n");
        Files.createDirectories(docs.resolve("guides"));
        Files.writeString(docs.resolve("guides/deploy.md"), "# Deploying\n\nTerraform, then Cloud Build.\n");
        SigningKeys keys = SigningKeys.generate();
        KnowledgeFunction.Config config = KnowledgeFunction.configuration(Map.of(
                "CODITECT_STORE", "memory:", "CODITECT_ISSUER", "https://coditect.example.com",
                "CODITECT_PUBLIC_KEYS", keys.publicKeys().toString(),
                // Pub/Sub is named but not reached: the outbox keeps the events until a relay gets through
                "CODITECT_GCP_PROJECT", "deployed-test", "PUBSUB_EMULATOR_HOST", "127.0.0.1:" + FreePorts.any(),
                "CODITECT_KNOWLEDGE_PLATFORM_DOCS", docs.toString()));
        try (Knowledge knowledge = KnowledgeFunction.deployed(config)) {
            Thread submitting = knowledge.platformDocsSubmission().orElseThrow();
            assertTrue(submitting.join(Duration.ofMinutes(2)), "the submission ends");
            List<KnowledgeDocument> shared = knowledge.store().documents(KnowledgeService.PLATFORM_TENANT, null, 10);
            assertEquals(List.of("guides/deploy.md", "sidecar.md"),
                    shared.stream().map(KnowledgeDocument::path).sorted().toList());
            assertTrue(shared.stream().allMatch(d -> d.collection().equals(KnowledgeService.PLATFORM_COLLECTION)
                    && d.status() == DocumentStatus.QUEUED), shared.toString());
        }
    }
}
