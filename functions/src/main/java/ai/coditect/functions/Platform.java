package ai.coditect.functions;

import ai.coditect.functions.agents.AgentPolicy;
import ai.coditect.functions.agents.Agents;
import ai.coditect.functions.auth.AccountDeletion;
import ai.coditect.functions.auth.AuthRoutes;
import ai.coditect.functions.auth.AuthService;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.cleanup.CleanupService;
import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.events.PubSubConnection;
import ai.coditect.functions.events.PubSubEventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.UnprocessableEventException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.workspaces.ProvisionService;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.functions.workspaces.WorkspaceBackends;
import ai.coditect.functions.workspaces.WorkspaceRoutes;
import ai.coditect.functions.workspaces.WorkspaceService;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.functions.http.Routes;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.tokens.SigningKeys;
import ai.coditect.shared.tokens.TokenIssuer;
import ai.coditect.shared.tokens.TokenVerifier;
import com.apple.foundationdb.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;

/**
 * The composition root of the functions: configuration, store, keys, services and routes, built once per
 * function instance. Cloud Functions instantiate function classes with no arguments, so they reach it through
 * {@link #current()}, which builds it from the environment on first use; the local platform and the tests build
 * one themselves and {@link #install} it.
 */
public final class Platform implements AutoCloseable {
    private static final Object LOCK = new Object();
    private static volatile Platform current;

    private final FunctionsConfig config;
    private final Clock clock;
    private final Database database;
    private final Keyspace keyspace;
    private final SigningKeys signingKeys;
    private final EventPublisher events;
    private final Outbox outbox;
    private final AuthService authService;
    private final AuthRoutes authRoutes;
    private final Routes jwksRoutes;
    private final PrometheusRegistry metrics = new PrometheusRegistry();
    private final ProcessedEvents processedEvents;
    private final CleanupService cleanupService;
    private final EventConsumer cleanupConsumer;
    private final WorkspaceBackend workspaceBackend;
    private final ProvisionService provisionService;
    private final WorkspaceService workspaceService;
    private final WorkspaceRoutes workspaceRoutes;
    private final EventConsumer provisionConsumer;
    private final AccountDeletion accountDeletion;
    private final Agents agents;

    private Platform(FunctionsConfig config, Clock clock, Database database, EventPublisher events,
                     PasswordHasher.Cost passwordCost, WorkspaceBackend workspaceBackend) {
        this.config = config;
        this.clock = clock;
        this.database = database;
        this.events = events;
        this.keyspace = Keyspace.open(database, config.environment());
        this.signingKeys = loadKeys(config.signingKeys());
        TokenIssuer issuer = new TokenIssuer(signingKeys, config.issuer(), config.audience(), clock);
        TokenVerifier verifier = TokenVerifier.withKeys(signingKeys.publicKeys(), config.issuer(), config.audience(),
                clock);
        WorkspaceStore workspaces = new WorkspaceStore(keyspace);
        this.outbox = new Outbox(database, keyspace, events, config.events().publishTimeout(), metrics);
        this.authService = new AuthService(database, keyspace, clock, new PasswordHasher(passwordCost), issuer,
                verifier, config.sessions(), config.logins(), config.signups(), outbox, workspaces);
        this.authRoutes = new AuthRoutes(authService, clock, config.signups().forwardedHop());
        this.jwksRoutes = Routes.builder().get("/.well-known/jwks.json", this::jwks).build();
        this.agents = new Agents(database, keyspace, clock, outbox, AgentPolicy.DEFAULT, workspaces, authRoutes,
                metrics);
        this.processedEvents = new ProcessedEvents(keyspace, ProcessedEvents.DEFAULT_RETENTION);
        this.cleanupService = new CleanupService(database, keyspace, clock, events, config.cleanup(), config.logins(),
                config.signups(),
                processedEvents, metrics);
        this.cleanupConsumer = new EventConsumer("cleanup", (event, attempt) -> {
            if (event.eventType() != EventType.CLEANUP_TICK) {
                throw new UnprocessableEventException("cleanup reads cleanup.tick events, not " + event.type());
            }
            cleanupService.handle(event);
            agents.reapAll();
            outbox.relay(); // what a broker outage left behind goes out at the latest with the next tick
        });
        this.workspaceBackend = workspaceBackend;
        this.provisionService = new ProvisionService(database, workspaces, processedEvents, workspaceBackend, clock,
                metrics);
        this.workspaceService = new WorkspaceService(database, workspaces, provisionService, outbox, clock,
                config.workspaces().refreshInterval());
        this.workspaceRoutes = new WorkspaceRoutes(workspaceService, authRoutes);
        this.accountDeletion = new AccountDeletion(database, keyspace, processedEvents, provisionService, clock);
        // Account deletions share the workspace requests' topic, ordered per user after provisioning and stops.
        this.provisionConsumer = new EventConsumer("provision", (event, attempt) -> {
            if (event.eventType() == EventType.ACCOUNT_DELETION_REQUESTED) {
                accountDeletion.handle(event);
            } else {
                provisionService.handle(event);
            }
        });
    }

    /** Builds the platform on {@code config}'s store, with {@code events} for publishing. */
    public static Platform start(FunctionsConfig config, Clock clock, EventPublisher events,
                                 PasswordHasher.Cost passwordCost) {
        return start(config, clock, events, passwordCost, WorkspaceBackends.create(config.workspaces(),
                System.getenv(), logDirectory(config)));
    }

    /** As above, with the given workspace backend (tests use one on a Kubernetes API stand-in). */
    public static Platform start(FunctionsConfig config, Clock clock, EventPublisher events,
                                 PasswordHasher.Cost passwordCost, WorkspaceBackend workspaceBackend) {
        Database db = Databases.open(config.storeUrl());
        try {
            return new Platform(config, clock, db, events, passwordCost, workspaceBackend);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static java.nio.file.Path logDirectory(FunctionsConfig config) {
        java.nio.file.Path keys = config.signingKeys().file();
        return keys != null && keys.getParent() != null ? keys.getParent().resolve("logs")
                : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "coditect-logs");
    }

    /** The installed platform, or one built from the environment the first time a function needs it. */
    public static Platform current() {
        Platform p = current;
        if (p != null) {
            return p;
        }
        synchronized (LOCK) {
            if (current == null) {
                FunctionsConfig config = FunctionsConfig.fromEnvironment(System.getenv());
                CloudLogging.install(config.logLevel());
                Clock clock = Clock.systemUTC();
                EventPublisher events = config.events().pubSub()
                        ? new PubSubEventPublisher(PubSubConnection.open(config.events().gcpProject(),
                                config.events().emulatorHost()), Duration.ofSeconds(20),
                                config.events().publishTimeout())
                        : InProcessEventBus.withDefaults(clock);
                current = start(config, clock, events, PasswordHasher.Cost.OWASP);
            }
            return current;
        }
    }

    public static void install(Platform platform) {
        synchronized (LOCK) {
            current = platform;
        }
    }

    public static void uninstall(Platform platform) {
        synchronized (LOCK) {
            if (current == platform) {
                current = null;
            }
        }
    }

    private static SigningKeys loadKeys(FunctionsConfig.SigningKeySource source) {
        try {
            if (source.json() != null) {
                return SigningKeys.parse(source.json());
            }
            if (source.generateIfMissing()) {
                return SigningKeys.loadOrGenerate(source.file());
            }
            return SigningKeys.parse(Files.readString(source.file(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the signing keys from " + source.file(), e);
        }
    }

    private void jwks(HttpCall call) {
        call.cacheControl("public, max-age=300");
        call.json(200, signingKeys.publicKeys().toJSONObject(true));
    }

    public FunctionsConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public Database database() {
        return database;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public AuthService authService() {
        return authService;
    }

    public AuthRoutes authRoutes() {
        return authRoutes;
    }

    public Routes jwksRoutes() {
        return jwksRoutes;
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

    public ProcessedEvents processedEvents() {
        return processedEvents;
    }

    public CleanupService cleanupService() {
        return cleanupService;
    }

    public EventConsumer cleanupConsumer() {
        return cleanupConsumer;
    }

    public WorkspaceBackend workspaceBackend() {
        return workspaceBackend;
    }

    public ProvisionService provisionService() {
        return provisionService;
    }

    public WorkspaceService workspaceService() {
        return workspaceService;
    }

    public WorkspaceRoutes workspaceRoutes() {
        return workspaceRoutes;
    }

    public EventConsumer provisionConsumer() {
        return provisionConsumer;
    }

    public Agents agents() {
        return agents;
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
                java.util.logging.Logger.getLogger(Platform.class.getName())
                        .log(java.util.logging.Level.WARNING, "stopping the workspace backend failed", e);
            }
        }
        database.close();
    }
}
