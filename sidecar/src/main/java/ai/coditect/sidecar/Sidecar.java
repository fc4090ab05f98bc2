package ai.coditect.sidecar;

import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.tokens.TokenVerifier;
import ai.coditect.sidecar.activity.ActivityReporter;
import ai.coditect.sidecar.auth.Gatekeeper;
import ai.coditect.sidecar.auth.SessionChecker;
import ai.coditect.sidecar.bridge.HttpForwarder;
import ai.coditect.sidecar.bridge.OpenSockets;
import ai.coditect.sidecar.bridge.Targets;
import ai.coditect.sidecar.bridge.WebSocketBridges;
import ai.coditect.sidecar.management.ManagementRoutes;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sidecar of a workspace pod, wired explicitly: {@link #setup} configures the web server — the public
 * socket with the authentication filter, the HTTP proxy to Theia and the WebSocket bridges, and the management
 * socket — and {@link #start} runs it with its timers (keep-alive pings, session re-checks, activity reports).
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sidecar.class.getName());
    public static final String MANAGEMENT = "management";

    private final SidecarConfig config;
    private final Gatekeeper gatekeeper;
    private final OpenSockets sockets;
    private final SessionChecker sessions;
    private final ActivityReporter activity;
    private final SidecarMetrics metrics;
    private final HttpClient http;
    private WebServer server;
    private ScheduledExecutorService timers;

    private Sidecar(SidecarConfig config, Gatekeeper gatekeeper, OpenSockets sockets, SessionChecker sessions,
                    ActivityReporter activity, SidecarMetrics metrics, HttpClient http) {
        this.config = config;
        this.gatekeeper = gatekeeper;
        this.sockets = sockets;
        this.sessions = sessions;
        this.activity = activity;
        this.metrics = metrics;
        this.http = http;
    }

    /** Configures {@code server} as the sidecar described by {@code config}. */
    public static Sidecar setup(WebServerConfig.Builder server, SidecarConfig config, Clock clock) {
        allowHostHeader();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        SidecarMetrics metrics = new SidecarMetrics();
        Targets targets = new Targets(config.theiaUrl(), config.codi2Url());
        OpenSockets sockets = new OpenSockets();
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
        WebSocketBridges bridges = new WebSocketBridges(http, targets, sockets, activity, metrics);
        Gatekeeper gatekeeper = new Gatekeeper(verifier, sessions, config.ownerUserId(), config.ownerTenantId(),
                config.allowedOrigins(), config.maxConnections(), bridges, sockets, activity, metrics, clock);
        HttpForwarder forwarder = new HttpForwarder(http, targets, config.backendTimeout(), metrics);
        ManagementRoutes management = new ManagementRoutes(targets, metrics);

        server.host(config.host())
                .port(config.port())
                .idleConnectionTimeout(config.idleTimeout())
                .shutdownGracePeriod(Duration.ofSeconds(10))
                .addProtocol(WsConfig.builder().maxFrameLength(config.maxFrameBytes())
                        .origins(config.allowedOrigins()).build())
                .routing(routing -> routing.addFilter(gatekeeper).any(forwarder))
                .addRouting(WsRouting.builder()
                        .endpoint("/codi2", bridges::newListener)
                        .endpoint("/codi2/*", bridges::newListener)
                        .endpoint("/*", bridges::newListener))
                .putSocket(MANAGEMENT, socket -> socket.host(config.host()).port(config.managementPort()))
                .routing(MANAGEMENT, management::routing);
        return new Sidecar(config, gatekeeper, sockets, sessions, activity, metrics, http);
    }

    /** Builds, starts and returns the sidecar with its timers. */
    public static Sidecar start(SidecarConfig config, Clock clock) {
        WebServerConfig.Builder builder = WebServer.builder();
        Sidecar sidecar = setup(builder, config, clock);
        sidecar.server = builder.build().start();
        sidecar.startTimers();
        LogFields.of("port", sidecar.port(), "managementPort", sidecar.managementPort(),
                "theia", config.theiaUrl().toString(), "codi2", config.codi2Url().toString())
                .log(LOG, Level.INFO, "sidecar started");
        return sidecar;
    }

    private void startTimers() {
        timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "coditect-sidecar-timer");
            t.setDaemon(true);
            return t;
        });
        schedule(sockets::pingAll, config.pingInterval());
        schedule(() -> sockets.closeEndedSessions(sessions), config.sessionRecheck());
        schedule(activity::report, config.activityInterval());
        schedule(sessions::forgetExpired, Duration.ofMinutes(1));
    }

    private void schedule(Runnable task, Duration every) {
        timers.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a sidecar timer task failed", e);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The JDK's HTTP client refuses to set {@code Host} unless told otherwise before its first use; Theia compares
     * {@code Host} with {@code Origin}, so the browser's {@code Host} must reach it.
     */
    private static void allowHostHeader() {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        try {
            HttpRequest.newBuilder(URI.create("http://localhost/")).header("Host", "probe");
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The JDK HTTP client was used before the sidecar could allow the Host "
                    + "header; start the JVM with -Djdk.httpclient.allowRestrictedHeaders=host.", e);
        }
    }

    public int port() {
        return server.port();
    }

    public int managementPort() {
        return server.port(MANAGEMENT);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gatekeeper.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        activity.report();
        if (timers != null) {
            timers.shutdownNow();
        }
        if (server != null) {
            server.stop();
        }
        http.close();
        LogFields.of("unfinishedRequests", gatekeeper.inFlight()).log(LOG, Level.INFO, "sidecar stopped");
    }
}
