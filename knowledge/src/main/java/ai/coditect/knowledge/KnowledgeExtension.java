package ai.coditect.knowledge;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.Platform;
import ai.coditect.functions.PlatformExtension;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Topic;
import com.google.cloud.functions.HttpFunction;

import java.util.List;

/**
 * The knowledge base on the local platform: found on the classpath by the platform, it serves
 * {@code /v1/knowledge/}, consumes {@code knowledge-index}, and indexes the repository's docs into the shared
 * platform collection in the background (unchanged files cost nothing on later starts).
 */
public final class KnowledgeExtension implements PlatformExtension {
    private Knowledge knowledge;
    private HttpFunction http;

    @Override
    public void start(Platform platform, Environment environment, Defaults defaults) {
        KnowledgeConfig config = KnowledgeConfig.read(environment, defaults);
        knowledge = new Knowledge(platform.store(), platform.outbox(),
                platform.authentication(), platform.clock(), config, Knowledge.embedder(config));
        http = new KnowledgeFunction(knowledge);
        knowledge.submitPlatformDocs();
    }

    public Knowledge knowledge() {
        return knowledge;
    }

    @Override
    public String pathPrefix() {
        return "/v1/knowledge/";
    }

    @Override
    public HttpFunction http() {
        return http;
    }

    @Override
    public List<Subscription> subscriptions() {
        return List.of(new Subscription(Topic.KNOWLEDGE_INDEX, "knowledge-index",
                new KnowledgeIndexFunction(knowledge.indexConsumer()), 600));
    }

    @Override
    public void close() {
        if (knowledge != null) {
            knowledge.close();
        }
    }
}
