package ai.coditect.functions.local;

import ai.coditect.functions.FunctionsConfig;
import ai.coditect.functions.Platform;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.shared.logging.LogFields;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ./coditect dev}: the whole platform in one process — every HTTP function behind the real Functions
 * Framework invoker on one port, the embedded engine in the data directory, and the in-process event bus.
 */
public final class LocalPlatform implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalPlatform.class.getName());

    private final Platform platform;
    private final InProcessEventBus bus;
    private final InvokerServer http;

    private LocalPlatform(Platform platform, InProcessEventBus bus, InvokerServer http) {
        this.platform = platform;
        this.bus = bus;
        this.http = http;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int port = FunctionsConfig.integer(env, "PORT", 8080);
        Path dataDir = Path.of(env.getOrDefault("CODITECT_DATA_DIR", ".coditect/data")).toAbsolutePath();
        FunctionsConfig config = FunctionsConfig.local(env, dataDir, port);
        CloudLogging.install(config.logLevel());
        LocalPlatform local = start(config, Clock.systemUTC(), port, invokerJar(), PasswordHasher.Cost.OWASP);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stopped.countDown();
        }, "coditect-shutdown"));
        System.out.println("Coditect is running at " + local.baseUrl() + " (data in " + dataDir
                + "). Press Ctrl-C to stop.");
        LogFields.of("url", local.baseUrl(), "dataDir", dataDir.toString(), "store", config.storeUrl())
                .log(LOG, Level.INFO, "Coditect is running at " + local.baseUrl());
        stopped.await();
    }

    /** The invoker jar that the build copies next to the functions jar. */
    static Path invokerJar() {
        String configured = System.getProperty("coditect.invoker.jar");
        return Path.of(configured != null ? configured : "functions/target/invoker/java-function-invoker.jar");
    }

    public static LocalPlatform start(FunctionsConfig config, Clock clock, int port, Path invokerJar,
                                      PasswordHasher.Cost passwordCost) {
        InProcessEventBus bus = InProcessEventBus.withDefaults(clock);
        Platform platform = Platform.start(config, clock, bus, passwordCost);
        Platform.install(platform);
        try {
            InvokerServer http = InvokerServer.start(invokerJar, port, LocalGateway.class, "http");
            return new LocalPlatform(platform, bus, http);
        } catch (RuntimeException e) {
            Platform.uninstall(platform);
            platform.close();
            throw e;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + http.port();
    }

    public Platform platform() {
        return platform;
    }

    public InProcessEventBus bus() {
        return bus;
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the HTTP server failed", e);
        }
        Platform.uninstall(platform);
        platform.close();
    }
}
