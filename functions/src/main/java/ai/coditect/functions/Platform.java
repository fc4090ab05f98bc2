package ai.coditect.functions;

import ai.coditect.functions.agents.AgentPolicy;
import ai.coditect.functions.agents.Agents;
import ai.coditect.functions.agents.AgentsFunction;
import ai.coditect.functions.auth.AuthFunction;
import ai.coditect.functions.auth.AuthRoutes;
import ai.coditect.functions.auth.AuthService;
import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.auth.JwksFunction;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.cleanup.CleanupFunction;
import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.workspaces.ProvisionFunction;
import ai.coditect.functions.workspaces.ProvisionService;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.functions.workspaces.WorkspacesFunction;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.tokens.SigningKeys;
import com.apple.foundationdb.Database;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every function of the platform in one process, as the local platform and the tests run them: each built by its
 * own factory from its own configuration, all on one store, one publisher and one clock. A deployed function never
 * builds this; it wires only itself (see its no-argument constructor).
 */
public final class Platform implements AutoCloseable {
    private final Clock clock;
    private final Store store;
    private final EventPublisher events;
    private final Outbox outbox;
    private final PrometheusRegistry metrics = new PrometheusRegistry();
    private final WorkspaceBackend workspaceBackend;
    private final Authentication authentication;
    private final AuthFunction auth;
    private final JwksFunction jwks;
    private final WorkspacesFunction workspaces;
    private final Agents agents;
    private final AgentsFunction agentsFunction;
    private final CleanupFunction cleanup;
    private final ProvisionFunction provision;

    private Platform(Environment env, Defaults defaults, Clock clock, Store store, EventPublisher events,
                     PasswordHasher.Cost passwordCost, WorkspaceBackend backend) {
        this.clock = clock;
        this.store = store;
        this.events = events;
        AuthFunction.Config authConfig = AuthFunction.Config.read(env, defaults);
        WorkspacesFunction.Config workspacesConfig = WorkspacesFunction.Config.read(env, defaults);
        CleanupFunction.Config cleanupConfig = CleanupFunction.Config.read(env, defaults);
        this.outbox = new Outbox(store.database(), store.keyspace(), events, authConfig.events().publishTimeout(),
                metrics);
        SigningKeys keys = authConfig.signingKeys().load();
        AuthService authService = AuthFunction.service(authConfig, store, outbox, keys,
                new PasswordHasher(passwordCost), clock);
        this.authentication = Authentication.of(authService);
        this.auth = new AuthFunction(new AuthRoutes(authService, clock, authConfig.signups().forwardedHop()));
        this.jwks = new JwksFunction(keys.publicKeys());
        this.agents = AgentsFunction.agents(store, outbox, authentication, AgentPolicy.read(env), clock, metrics);
        this.agentsFunction = new AgentsFunction(agents);
        this.cleanup = new CleanupFunction(CleanupFunction.consumer(cleanupConfig, store, events, outbox,
                agents::reapAll, clock, metrics));
        this.workspaceBackend = backend != null ? backend
                : ProvisionFunction.backend(workspacesConfig.workspaces(), defaults.logDirectory());
        ProvisionService provisioner = ProvisionFunction.service(store, workspaceBackend, clock, metrics);
        this.provision = new ProvisionFunction(ProvisionFunction.consumer(store, provisioner, clock));
        this.workspaces = new WorkspacesFunction(store, outbox, provisioner, authentication,
                workspacesConfig.workspaces().refreshInterval(), clock);
    }

    /**
     * Every function on the store that {@code env} names (with {@code defaults} for what it leaves unset), events
     * going to {@code events}; workspaces on {@code backend}, or on the one the configuration names when null.
     */
    public static Platform start(Environment env, Defaults defaults, Clock clock, EventPublisher events,
                                 PasswordHasher.Cost passwordCost, WorkspaceBackend backend) {
        Store store = Store.open(StoreConfig.read(env, defaults));
        try {
            return new Platform(env, defaults, clock, store, events, passwordCost, backend);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public Clock clock() {
        return clock;
    }

    public Store store() {
        return store;
    }

    public Database database() {
        return store.database();
    }

    public Keyspace keyspace() {
        return store.keyspace();
    }

    public EventPublisher events() {
        return events;
    }

    /** The outbox events leave through: written with their state change, relayed to {@link #events()}. */
    public Outbox outbox() {
        return outbox;
    }

    public PrometheusRegistry metrics() {
        return metrics;
    }

    /** The session check of authenticated routes, for parts built in other modules (the knowledge base). */
    public Authentication authentication() {
        return authentication;
    }

    public WorkspaceBackend workspaceBackend() {
        return workspaceBackend;
    }

    public AuthFunction auth() {
        return auth;
    }

    public JwksFunction jwks() {
        return jwks;
    }

    public WorkspacesFunction workspaces() {
        return workspaces;
    }

    public AgentsFunction agentsFunction() {
        return agentsFunction;
    }

    public Agents agents() {
        return agents;
    }

    public CleanupFunction cleanup() {
        return cleanup;
    }

    public ProvisionFunction provision() {
        return provision;
    }

    @Override
    public void close() {
        agents.close();
        outbox.close();
        events.close();
        if (workspaceBackend instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Logger.getLogger(Platform.class.getName()).log(Level.WARNING, "stopping the workspace backend failed", e);
            }
        }
        store.close();
    }
}
