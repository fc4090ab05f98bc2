package ai.coditect.functions.local;

import ai.coditect.functions.FunctionsConfig;
import ai.coditect.functions.Platform;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.cleanup.CleanupFunction;
import ai.coditect.functions.events.EventarcBridge;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.PubSubConnection;
import ai.coditect.functions.events.PubSubEventPublisher;
import ai.coditect.functions.events.PubSubTopology;
import ai.coditect.functions.workspaces.ProvisionFunction;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.shared.logging.LogFields;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ./coditect dev}: the whole platform in one process — every HTTP function behind the real Functions
 * Framework invoker on one port, the embedded engine in the data directory, and events either on the in-process
 * bus or, when {@code PUBSUB_EMULATOR_HOST} is set, on the Pub/Sub emulator with the Eventarc stand-in feeding
 * each Pub/Sub function, served by its own invoker. Cleanup runs on a timer, as Cloud Scheduler runs it.
 */
public final class LocalPlatform implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalPlatform.class.getName());

    /** How the local platform runs, beyond the functions' own configuration. */
    public record Options(int port, Path invokerJar, PasswordHasher.Cost passwordCost, Duration cleanupInterval,
                          WorkspaceBackend workspaceBackend) {
        public Options(int port, Path invokerJar, PasswordHasher.Cost passwordCost, Duration cleanupInterval) {
            this(port, invokerJar, passwordCost, cleanupInterval, null);
        }
    }

    private final Platform platform;
    private final InProcessEventBus bus;
    private final String baseUrl;
    private final Deque<AutoCloseable> resources;

    private LocalPlatform(Platform platform, InProcessEventBus bus, String baseUrl, Deque<AutoCloseable> resources) {
        this.platform = platform;
        this.bus = bus;
        this.baseUrl = baseUrl;
        this.resources = resources;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Environment environment = new Environment(env);
        int port = environment.integer("PORT", 8080);
        Path dataDir = Path.of(environment.get("CODITECT_DATA_DIR", ".coditect/data")).toAbsolutePath();
        FunctionsConfig config = FunctionsConfig.local(env, dataDir, port);
        CloudLogging.install(config.logLevel());
        Options options = new Options(port, invokerJar(), PasswordHasher.Cost.OWASP,
                environment.durationOrZero("CODITECT_CLEANUP_INTERVAL", Duration.ofMinutes(1)));
        LocalPlatform local = start(config, Clock.systemUTC(), options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stopped.countDown();
        }, "coditect-shutdown"));
        System.out.println("Coditect is running at " + local.baseUrl() + " (data in " + dataDir + ", events on "
                + (config.events().pubSub() ? "the Pub/Sub emulator at " + config.events().emulatorHost()
                : "the in-process bus") + ", workspaces on " + local.platform().workspaceBackend().name()
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

    public static LocalPlatform start(FunctionsConfig config, Clock clock, Options options) {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            InProcessEventBus bus = null;
            PubSubConnection pubsub = null;
            EventPublisher events;
            if (config.events().pubSub()) {
                pubsub = PubSubConnection.open(config.events().gcpProject(), config.events().emulatorHost());
                resources.push(pubsub);
                PubSubTopology.ensure(pubsub, Topic.CLEANUP_TICKS, "cleanup", 60);
                PubSubTopology.ensure(pubsub, Topic.WORKSPACE_REQUESTS, "provision", 600);
                PubSubTopology.ensureTopic(pubsub, Topic.AGENT_EVENTS);
                events = new PubSubEventPublisher(pubsub, Duration.ofSeconds(10), config.events().publishTimeout());
            } else {
                bus = InProcessEventBus.withDefaults(clock);
                events = bus;
            }
            Platform platform = options.workspaceBackend() == null
                    ? Platform.start(config, clock, events, options.passwordCost())
                    : Platform.start(config, clock, events, options.passwordCost(), options.workspaceBackend());
            resources.push(platform);
            Platform.install(platform);
            resources.push(() -> Platform.uninstall(platform));
            java.util.List<ai.coditect.functions.PlatformExtension> extensions = startExtensions(platform, resources);
            InvokerServer http = InvokerServer.start(options.invokerJar(), options.port(), LocalGateway.class, "http");
            resources.push(http);
            if (bus != null) {
                bus.subscribe(Topic.CLEANUP_TICKS, "cleanup", platform.cleanupConsumer().handler());
                bus.subscribe(Topic.WORKSPACE_REQUESTS, "provision", platform.provisionConsumer().handler());
            } else {
                serve(resources, pubsub, options, Topic.CLEANUP_TICKS, "cleanup", CleanupFunction.class);
                serve(resources, pubsub, options, Topic.WORKSPACE_REQUESTS, "provision", ProvisionFunction.class);
            }
            for (ai.coditect.functions.PlatformExtension extension : extensions) {
                for (ai.coditect.functions.PlatformExtension.Subscription sub : extension.subscriptions()) {
                    if (bus != null) {
                        bus.subscribe(sub.topic(), sub.name(), sub.handler());
                    } else {
                        PubSubTopology.ensure(pubsub, sub.topic(), sub.name(), sub.ackDeadlineSeconds());
                        serve(resources, pubsub, options, sub.topic(), sub.name(), sub.function());
                    }
                }
            }
            if (!options.cleanupInterval().isZero()) {
                resources.push(cleanupTimer(events, clock, options.cleanupInterval()));
            }
            if (!config.events().relayInterval().isZero()) {
                resources.push(relayTimer(platform, config.events().relayInterval()));
            }
            return new LocalPlatform(platform, bus, "http://127.0.0.1:" + http.port(), resources);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** Starts every extension on the classpath (see {@link ai.coditect.functions.PlatformExtension}). */
    private static java.util.List<ai.coditect.functions.PlatformExtension> startExtensions(Platform platform,
                                                                                         Deque<AutoCloseable> resources) {
        java.util.List<ai.coditect.functions.PlatformExtension> started = new java.util.ArrayList<>();
        for (ai.coditect.functions.PlatformExtension extension
                : java.util.ServiceLoader.load(ai.coditect.functions.PlatformExtension.class)) {
            extension.start(platform, System.getenv());
            resources.push(extension);
            started.add(extension);
        }
        LocalGateway.mount(started);
        resources.push(() -> LocalGateway.mount(java.util.List.of()));
        return started;
    }

    /** Serves a Pub/Sub function in its own invoker and feeds it from its subscription, as Eventarc does. */
    private static void serve(Deque<AutoCloseable> resources, PubSubConnection pubsub, Options options, Topic topic,
                              String consumer, Class<?> function) {
        InvokerServer server = InvokerServer.start(options.invokerJar(), freePort(), function, "cloudevent");
        resources.push(server);
        resources.push(EventarcBridge.start(pubsub, topic.id(), PubSubTopology.subscriptionId(topic, consumer),
                URI.create("http://127.0.0.1:" + server.port() + "/")));
    }

    private static AutoCloseable cleanupTimer(EventPublisher events, Clock clock, Duration interval) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coditect-cleanup-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> events.publish(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock))
                        .exceptionally(e -> {
                            LOG.log(Level.WARNING, "could not publish a cleanup tick", e);
                            return null;
                        }),
                interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    /** Relays what the outbox still holds (events a broker outage left behind) every {@code interval}. */
    private static AutoCloseable relayTimer(Platform platform, Duration interval) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coditect-outbox-relay");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                platform.outbox().relay();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "relaying the outbox failed; the next run tries again", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        };
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port", e);
        }
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Platform platform() {
        return platform;
    }

    /** The in-process bus, or null when events go through Pub/Sub. */
    public InProcessEventBus bus() {
        return bus;
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt(); // the rest still closes; the caller learns of it after
                }
                LOG.log(Level.WARNING, "stopping a part of the local platform failed", e);
            }
        }
    }
}
