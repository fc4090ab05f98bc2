package ai.coditect.sidecar;

import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.tokens.TokenVerifier;
import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.auth.Gatekeeper;
import ai.coditect.sidecar.auth.SessionChecker;
import ai.coditect.sidecar.bridge.HostHeader;
import ai.coditect.sidecar.bridge.HttpForwarder;
import ai.coditect.sidecar.bridge.OpenSockets;
import ai.coditect.sidecar.bridge.Problems;
import ai.coditect.sidecar.bridge.Targets;
import ai.coditect.sidecar.bridge.WebSocketBridges;
import ai.coditect.sidecar.management.ManagementRoutes;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;

import java.net.MalformedURLException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sidecar of a workspace pod, wired explicitly: {@link #setup} configures the web server — the public
 * socket with the authentication filter, the HTTP proxy to Theia and the WebSocket bridges, the management
 * socket, and the periodic work (keep-alive pings, session re-checks, activity reports), which starts and stops
 * with the server. Tests build their server from the same {@code setup}.
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sidecar.class.getName());
    public static final String MANAGEMENT = "management";

    private final Gatekeeper gatekeeper;
    private final OpenSockets sockets;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final PeriodicTasks tasks;
    /** The sidecar's own HTTP client, closed when it stops; null when the client is shared. */
    private final HttpClientOnFirstUse http;
    private volatile WebServer server;

    private Sidecar(Gatekeeper gatekeeper, OpenSockets sockets, ActivityReporter activity, SidecarMetrics metrics,
                    PeriodicTasks tasks, HttpClientOnFirstUse http) {
        this.gatekeeper = gatekeeper;
        this.sockets = sockets;
        this.activity = activity;
        this.metrics = metrics;
        this.tasks = tasks;
        this.http = http;
    }

    /**
     * What the sidecars of one process share when it hosts several: the HTTP client (to the platform and to
     * Theia, built on first use) and the timer thread of their periodic work. Whoever made them closes them, after
     * the sidecars.
     */
    public record Shared(Supplier<HttpClient> http, ScheduledExecutorService timer) implements AutoCloseable {
        public static Shared create() {
            return new Shared(new HttpClientOnFirstUse(), Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "coditect-sidecars-timer");
                t.setDaemon(true);
                return t;
            }));
        }

        @Override
        public void close() {
            timer.shutdownNow();
            if (http instanceof HttpClientOnFirstUse own) {
                own.close();
            }
        }
    }

    /** Configures {@code server} as the sidecar described by {@code config}; nothing outside it is changed. */
    public static Sidecar setup(WebServerConfig.Builder server, SidecarConfig config, Clock clock) {
        return setup(server, config, clock, null);
    }

    /**
     * Configures {@code server} as the sidecar described by {@code config}, with what it shares with the other
     * sidecars of this process ({@code shared}), or with its own HTTP client and timer thread when it is null.
     */
    public static Sidecar setup(WebServerConfig.Builder server, SidecarConfig config, Clock clock, Shared shared) {
        boolean keepsHost = HostHeader.mayBeSent();
        if (!keepsHost) {
            LOG.warning("The JDK HTTP client may not send Host here, so Theia sees its own address as Host (the "
                    + "browser's is in X-Forwarded-Host); start the JVM with -D" + HostHeader.PROPERTY + "=host.");
        }
        HttpClientOnFirstUse ownHttp = shared != null ? null : new HttpClientOnFirstUse();
        Supplier<HttpClient> http = shared != null ? shared.http() : ownHttp;
        SidecarMetrics metrics = new SidecarMetrics();
        Problems problems = new Problems(config.signInUrl(), metrics);
        Targets targets = new Targets(config.theiaUrl(), config.codi2Url());
        OpenSockets sockets = new OpenSockets(metrics);
        ActivityReporter activity = new ActivityReporter(http, config.activityUrl(), config.agentToken(), clock);
        SessionChecker sessions = new SessionChecker(http, config.sessionUrl(), clock, config.sessionCacheActive(),
                config.sessionCacheInactive());
        TokenVerifier verifier;
        try {
            verifier = TokenVerifier.withJwksUrl(config.jwksUrl().toURL(), Duration.ofMinutes(5), config.issuer(),
                    config.audience(), clock);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("CODITECT_JWKS_URL is not a URL: " + config.jwksUrl(), e);
        }
        WebSocketBridges bridges = new WebSocketBridges(targets, sockets, activity, metrics, keepsHost,
                config.maxFrameBytes());
        Gatekeeper.Policy policy = new Gatekeeper.Policy(config.ownerUserId(), config.ownerTenantId(),
                config.allowedOrigins(), config.maxConnections(), config.cookieName(), config.cookieSameSite(),
                config.https(), config.webOrigin());
        Gatekeeper gatekeeper = new Gatekeeper(verifier, sessions, policy, bridges, sockets, activity, problems,
                metrics, clock);
        HttpForwarder forwarder = new HttpForwarder(http, targets, config.backendTimeout(), config.https(),
                keepsHost, metrics);
        ManagementRoutes management = new ManagementRoutes(targets, metrics);

        PeriodicTasks tasks = new PeriodicTasks(clock, shared != null ? shared.timer() : null);
        tasks.add("keep-alive pings", config.pingInterval(), sockets::pingAll);
        tasks.add("session re-check", config.sessionRecheck(), () -> sockets.closeEndedSessions(sessions));
        tasks.add("activity report", config.activityInterval(), activity::report);
        tasks.add("forget old session answers", Duration.ofMinutes(1), sessions::forgetExpired);
        Sidecar sidecar = new Sidecar(gatekeeper, sockets, activity, metrics, tasks, ownHttp);

        DirectHandler direct = problems.directHandler();
        DirectHandlers directHandlers = DirectHandlers.builder()
                .addHandler(DirectHandler.EventType.BAD_REQUEST, direct)
                .addHandler(DirectHandler.EventType.PAYLOAD_TOO_LARGE, direct)
                .addHandler(DirectHandler.EventType.FORBIDDEN, direct)
                .addHandler(DirectHandler.EventType.INTERNAL_ERROR, direct)
                .addHandler(DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED, direct)
                .addHandler(DirectHandler.EventType.OTHER, direct)
                .build();
        server.host(config.host())
                .port(config.port())
                .idleConnectionTimeout(config.idleTimeout())
                .shutdownGracePeriod(Duration.ofSeconds(10))
                .directHandlers(directHandlers)
                // WebSocket upgrades are bridged frame by frame (the authentication filter checks their origin)
                .addProtocol(bridges.protocol())
                .routing(routing -> routing
                        .addFeature(sidecar.lifecycle())
                        .addFilter(gatekeeper)
                        .error(Throwable.class, problems::unexpected)
                        .any(forwarder))
                .putSocket(MANAGEMENT, socket -> socket.host(config.host()).port(config.managementPort())
                        .directHandlers(directHandlers))
                .routing(MANAGEMENT, routing -> {
                    management.routing(routing);
                    routing.error(Throwable.class, problems::unexpected);
                });
        LogFields.of("theia", config.theiaUrl().toString(),
                        "codi2", config.codi2Url().map(Object::toString).orElse("none"))
                .log(LOG, Level.FINE, "sidecar configured");
        return sidecar;
    }

    /** Builds and starts a sidecar: what {@code Main} runs. */
    public static Sidecar start(SidecarConfig config, Clock clock) {
        return start(config, clock, null);
    }

    /** Builds and starts a sidecar that shares what {@code shared} holds with others in this process (or null). */
    public static Sidecar start(SidecarConfig config, Clock clock, Shared shared) {
        WebServerConfig.Builder builder = WebServer.builder();
        Sidecar sidecar = setup(builder, config, clock, shared);
        builder.build().start();
        LogFields.of("port", sidecar.port(), "managementPort", sidecar.managementPort())
                .log(LOG, Level.INFO, "sidecar started");
        return sidecar;
    }

    /** Starts the periodic work with the server and ends it, and the HTTP client, when the server stops. */
    private HttpFeature lifecycle() {
        return new HttpFeature() {
            @Override
            public void setup(HttpRouting.Builder routing) {
                // nothing to route: this feature is here for the server's start and stop
            }

            @Override
            public void afterStart(WebServer webServer) {
                server = webServer;
                tasks.start();
            }

            @Override
            public void afterStop() {
                tasks.stop();
                if (http != null) {
                    http.close(); // only the sidecar's own: a shared client outlives it
                }
            }
        };
    }

    /**
     * Runs the periodic work that is due by the sidecar's clock now and returns when it is done. The sidecar's
     * own timer calls this every quarter second; a test with its own clock calls it after moving the clock.
     */
    public void runDueTasks() {
        tasks.runDue();
    }

    public int port() {
        return server().port();
    }

    public int managementPort() {
        return server().port(MANAGEMENT);
    }

    private WebServer server() {
        WebServer s = server;
        if (s == null) {
            throw new IllegalStateException("the sidecar's server has not started");
        }
        return s;
    }

    public SidecarMetrics metrics() {
        return metrics;
    }

    public OpenSockets sockets() {
        return sockets;
    }

    public ActivityReporter activity() {
        return activity;
    }

    /** Shutdown: refuse new requests, close WebSockets with 1001, let HTTP requests finish within 10 s, stop. */
    @Override
    public void close() {
        gatekeeper.drain();
        sockets.closeAll();
        try {
            gatekeeper.awaitIdle(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tasks.stop();
        activity.report();
        WebServer s = server;
        if (s != null) {
            s.stop();
        }
        LogFields.of("unfinishedRequests", gatekeeper.inFlight()).log(LOG, Level.INFO, "sidecar stopped");
    }
}
