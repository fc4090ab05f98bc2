package ai.coditect.knowledge;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.Platform;
import ai.coditect.functions.PlatformExtension;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.logging.LogFields;
import com.google.cloud.functions.HttpFunction;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The knowledge base on the local platform: found on the classpath by the platform, it serves
 * {@code /v1/knowledge/}, consumes {@code knowledge-index}, and indexes the repository's docs into the shared
 * platform collection in the background (unchanged files cost nothing on later starts).
 */
public final class KnowledgeExtension implements PlatformExtension {
    private static final Logger LOG = Logger.getLogger(KnowledgeExtension.class.getName());

    private Knowledge knowledge;
    private HttpFunction http;
    private Thread docsIndexer;

    @Override
    public void start(Platform platform, Environment environment, Defaults defaults) {
        KnowledgeConfig config = KnowledgeConfig.read(environment, defaults);
        knowledge = new Knowledge(platform.store(), platform.outbox(),
                platform.authentication(), platform.clock(), config, Knowledge.embedder(config));
        http = new KnowledgeFunction(knowledge);
        if (config.platformDocs() != null) {
            docsIndexer = Thread.ofVirtual().name("coditect-platform-docs").start(() -> {
                try {
                    int changed = knowledge.service().indexPlatformDocs(config.platformDocs());
                    LogFields.of("folder", config.platformDocs().toAbsolutePath().toString(), "changed", changed)
                            .log(LOG, Level.INFO, "platform docs submitted");
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not submit the platform docs", e);
                }
            });
        }
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
        if (docsIndexer != null) {
            docsIndexer.interrupt();
        }
        if (knowledge != null) {
            knowledge.close();
        }
    }
}
