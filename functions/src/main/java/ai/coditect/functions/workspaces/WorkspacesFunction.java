package ai.coditect.functions.workspaces;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/** Cloud Function: every {@code /v1/workspaces/*} route (the caller's workspace, start, stop, activity). */
public final class WorkspacesFunction implements HttpFunction {
    private final Routes routes;

    /**
     * What the workspaces function reads: its store and events, the session check (public keys only), and the
     * cluster it reads provisioning workspaces' state from.
     */
    public record Config(StoreConfig store, EventsConfig events, Authentication.Config auth,
                         WorkspacesConfig workspaces, Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), EventsConfig.read(env, defaults),
                    Authentication.Config.read(env, defaults), WorkspacesConfig.read(env, defaults),
                    CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public WorkspacesFunction() {
        this(deployed(configuration(System.getenv())));
    }

    /**
     * The workspace routes on {@code store}: state changes leave through {@code outbox}, provisioning workspaces are
     * looked at on the cluster through {@code provisioner} at most every {@code refreshInterval}, and each request
     * is authenticated by {@code auth}.
     */
    public WorkspacesFunction(Store store, Outbox outbox, ProvisionService provisioner, Authentication auth,
                              Duration refreshInterval, Clock clock) {
        this(new WorkspaceRoutes(new WorkspaceService(store.database(), new WorkspaceStore(store.keyspace()),
                provisioner, outbox, clock, refreshInterval), auth).routes());
    }

    private WorkspacesFunction(Routes routes) {
        this.routes = routes;
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    private static Routes deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Clock clock = Clock.systemUTC();
        Store store = Store.open(config.store());
        PrometheusRegistry metrics = new PrometheusRegistry();
        Outbox outbox = new Outbox(store.database(), store.keyspace(), config.events().publisher(clock),
                config.events().publishTimeout(), metrics);
        ProvisionService provisioner = ProvisionFunction.service(store,
                WorkspaceBackends.create(config.workspaces(), Defaults.DEPLOYED.logDirectory()), clock, metrics);
        Authentication auth = Authentication.verifying(config.auth(), config.auth().keys().load(), store, clock);
        return new WorkspaceRoutes(new WorkspaceService(store.database(), new WorkspaceStore(store.keyspace()),
                provisioner, outbox, clock, config.workspaces().refreshInterval()), auth).routes();
    }

    /** The routes it serves, as {@code METHOD /path}. */
    public List<String> endpoints() {
        return routes.endpoints();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
