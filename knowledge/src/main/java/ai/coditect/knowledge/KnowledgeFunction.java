package ai.coditect.knowledge;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.http.Routes;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.util.Map;
import java.util.logging.Level;

/** Cloud Function: every {@code /v1/knowledge/*} route (documents, search, context, exports). */
public final class KnowledgeFunction implements HttpFunction {
    private final Routes routes;

    /** What the knowledge function reads: its store and events, the session check (public keys only), the base's own. */
    public record Config(StoreConfig store, EventsConfig events, Authentication.Config auth, KnowledgeConfig knowledge,
                         Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), EventsConfig.read(env, defaults),
                    Authentication.Config.read(env, defaults), KnowledgeConfig.read(env, defaults),
                    CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public KnowledgeFunction() {
        this(deployed(configuration(System.getenv())));
    }

    public KnowledgeFunction(Knowledge knowledge) {
        this.routes = knowledge.routes().routes();
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    /** The knowledge base a deployed function serves; it starts submitting the image's platform docs. */
    static Knowledge deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Clock clock = Clock.systemUTC();
        Store store = Store.open(config.store());
        Authentication auth = Authentication.verifying(config.auth(), config.auth().keys().load(), store, clock);
        Outbox outbox = new Outbox(store.database(), store.keyspace(), config.events().publisher(clock),
                config.events().publishTimeout(), new PrometheusRegistry());
        Knowledge knowledge = new Knowledge(store, outbox, auth, clock, config.knowledge(),
                Knowledge.embedder(config.knowledge()));
        knowledge.submitPlatformDocs();
        return knowledge;
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
