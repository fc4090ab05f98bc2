package ai.coditect.functions.agents;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.http.Routes;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.util.Map;
import java.util.logging.Level;

/** Cloud Function: every {@code /v1/agents…} and {@code /v1/tasks…} route (the agent coordination registry). */
public final class AgentsFunction implements HttpFunction {
    private final Routes routes;

    /**
     * What the agents function reads: its store and events, the session check of users (public keys only), and the
     * registry's leases, claims and retries.
     */
    public record Config(StoreConfig store, EventsConfig events, Authentication.Config auth, AgentPolicy policy,
                         Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), EventsConfig.read(env, defaults),
                    Authentication.Config.read(env, defaults), AgentPolicy.read(env),
                    CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public AgentsFunction() {
        this(deployed(configuration(System.getenv())));
    }

    public AgentsFunction(Agents agents) {
        this.routes = agents.routes();
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    /**
     * The registry on {@code store} under {@code policy}; its events leave through {@code outbox}, users are checked
     * by {@code auth}.
     */
    public static Agents agents(Store store, Outbox outbox, Authentication auth, AgentPolicy policy, Clock clock,
                                PrometheusRegistry metrics) {
        return new Agents(store.database(), store.keyspace(), clock, outbox, policy,
                new WorkspaceStore(store.keyspace()), auth, metrics);
    }

    private static Agents deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Clock clock = Clock.systemUTC();
        Store store = Store.open(config.store());
        PrometheusRegistry metrics = new PrometheusRegistry();
        Outbox outbox = new Outbox(store.database(), store.keyspace(), config.events().publisher(clock),
                config.events().publishTimeout(), metrics);
        return agents(store, outbox, Authentication.verifying(config.auth(), config.auth().keys().load(), store, clock),
                config.policy(), clock, metrics);
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
