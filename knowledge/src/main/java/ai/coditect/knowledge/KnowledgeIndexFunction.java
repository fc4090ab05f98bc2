package ai.coditect.knowledge;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.PubSubFunction;
import ai.coditect.knowledge.chunking.ModelTokens;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;

import java.time.Clock;
import java.util.Map;
import java.util.logging.Level;

/** Cloud Function on {@code knowledge-index}: chunks, embeds and stores submitted documents; removes deleted ones. */
public final class KnowledgeIndexFunction extends PubSubFunction {

    /** What the index function reads: its store and the knowledge base's embedder and chunking. */
    public record Config(StoreConfig store, KnowledgeConfig knowledge, Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), KnowledgeConfig.read(env, defaults),
                    CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public KnowledgeIndexFunction() {
        this(deployed(configuration(System.getenv())));
    }

    public KnowledgeIndexFunction(EventConsumer consumer) {
        super(consumer);
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    private static EventConsumer deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Store store = Store.open(config.store());
        return new EventConsumer("knowledge-index", Knowledge.indexer(new KnowledgeStore(store.database(),
                store.keyspace()), ModelTokens.load(), config.knowledge(), Knowledge.embedder(config.knowledge()),
                Clock.systemUTC())::handle);
    }
}
