package ai.coditect.functions.local;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.Platform;
import ai.coditect.functions.PlatformExtension;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.events.EventarcBridge;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.events.PubSubConnection;
import ai.coditect.functions.events.PubSubEventPublisher;
import ai.coditect.functions.events.PubSubFunction;
import ai.coditect.functions.events.PubSubTopology;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.net.FreePorts;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
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
    private final EventsConfig events;
    private final List<PlatformExtension> extensions;
    private final String baseUrl;
    private final Deque<AutoCloseable> resources;

    private LocalPlatform(Platform platform, InProcessEventBus bus, EventsConfig events,
                          List<PlatformExtension> extensions, String baseUrl, Deque<AutoCloseable> resources) {
        this.platform = platform;
        this.bus = bus;
        this.events = events;
        this.extensions = List.copyOf(extensions);
        this.baseUrl = baseUrl;
        this.resources = resources;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Environment environment = new Environment(env);
        int port = environment.integer("PORT", 8080);
        Path dataDir = Path.of(environment.get("CODITECT_DATA_DIR", ".coditect/data")).toAbsolutePath();
        CloudLogging.install(CloudLogging.level(environment.get("CODITECT_LOG_LEVEL", null)));
        Options options = new Options(port, invokerJar(), PasswordHasher.Cost.OWASP,
                environment.durationOrZero("CODITECT_CLEANUP_INTERVAL", Duration.ofMinutes(1)));
        LocalPlatform local = start(env, dataDir, Clock.systemUTC(), options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stopped.countDown();
        }, "coditect-shutdown"));
        EventsConfig events = local.events;
        System.out.println("Coditect is running at " + local.baseUrl() + " (data in " + dataDir + ", events on "
                + (events.pubSub() ? "the Pub/Sub emulator at " + events.emulatorHost() : "the in-process bus")
                + ", workspaces on " + local.platform().workspaceBackend().name() + "). Press Ctrl-C to stop.");
        LogFields.of("url", local.baseUrl(), "dataDir", dataDir.toString(),
                "store", StoreConfig.read(environment, Defaults.local(dataDir, port)).url())
                .log(LOG, Level.INFO, "Coditect is running at " + local.baseUrl());
        stopped.await();
    }

    /** The invoker jar that the build copies next to the functions jar. */
    static Path invokerJar() {
        String configured = System.getProperty("coditect.invoker.jar");
        return Path.of(configured != null ? configured : "functions/target/invoker/java-function-invoker.jar");
    }

    /**
     * Every function, each configured by its own factory from {@code environment} with the local defaults (the
     * store and generated keys in {@code dataDir}, the issuer on {@code options.port()}), behind the invoker.
     */
    public static LocalPlatform start(Map<String, String> environment, Path dataDir, Clock clock, Options options) {
        Environment env = new Environment(environment);
        Defaults defaults = Defaults.local(dataDir, options.port());
        EventsConfig eventsConfig = EventsConfig.read(env, defaults);
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            InProcessEventBus bus = null;
            PubSubConnection pubsub = null;
            EventPublisher events;
            if (eventsConfig.pubSub()) {
                pubsub = PubSubConnection.open(eventsConfig.gcpProject(), eventsConfig.emulatorHost());
                resources.push(pubsub);
                PubSubTopology.ensure(pubsub, Topic.CLEANUP_TICKS, "cleanup", ackDeadline(env, 60));
                PubSubTopology.ensure(pubsub, Topic.WORKSPACE_REQUESTS, "provision", ackDeadline(env, 600));
                PubSubTopology.ensureTopic(pubsub, Topic.AGENT_EVENTS);
                events = new PubSubEventPublisher(pubsub, Duration.ofSeconds(10), eventsConfig.publishTimeout());
            } else {
                bus = InProcessEventBus.withDefaults(clock);
                events = bus;
            }
            Platform platform = Platform.start(env, defaults, clock, events, options.passwordCost(),
                    options.workspaceBackend());
            resources.push(platform);
            List<PlatformExtension> extensions = startExtensions(platform, env, defaults, resources);
            InvokerServer http = InvokerServer.start(options.invokerJar(), options.port(), LocalGateway.class, "http");
            resources.push(http);
            if (bus != null) {
                bus.subscribe(Topic.CLEANUP_TICKS, "cleanup", platform.cleanup().consumer().handler());
                bus.subscribe(Topic.WORKSPACE_REQUESTS, "provision", platform.provision().consumer().handler());
            } else {
                serve(resources, pubsub, options, Topic.CLEANUP_TICKS, "cleanup", platform.cleanup());
                serve(resources, pubsub, options, Topic.WORKSPACE_REQUESTS, "provision", platform.provision());
            }
            for (PlatformExtension extension : extensions) {
                for (PlatformExtension.Subscription sub : extension.subscriptions()) {
                    if (bus != null) {
                        bus.subscribe(sub.topic(), sub.name(), sub.function().consumer().handler());
                    } else {
                        PubSubTopology.ensure(pubsub, sub.topic(), sub.name(),
                                ackDeadline(env, sub.ackDeadlineSeconds()));
                        serve(resources, pubsub, options, sub.topic(), sub.name(), sub.function());
                    }
                }
            }
            if (!options.cleanupInterval().isZero()) {
                resources.push(cleanupTimer(events, clock, options.cleanupInterval()));
            }
            if (!eventsConfig.relayInterval().isZero()) {
                resources.push(relayTimer(platform, eventsConfig.relayInterval()));
            }
            return new LocalPlatform(platform, bus, eventsConfig, extensions, "http://127.0.0.1:" + http.port(), resources);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** Starts every extension on the classpath (see {@link PlatformExtension}) and mounts the gateway's functions. */
    private static List<PlatformExtension> startExtensions(Platform platform, Environment env, Defaults defaults,
                                                           Deque<AutoCloseable> resources) {
        List<PlatformExtension> started = new ArrayList<>();
        for (PlatformExtension extension : ServiceLoader.load(PlatformExtension.class)) {
            extension.start(platform, env, defaults);
            resources.push(extension);
            started.add(extension);
        }
        LocalGateway.mount(platform, started);
        resources.push(() -> LocalGateway.mount(null, List.of()));
        return started;
    }

    /**
     * The ack deadline of a subscription the local platform creates on the emulator: its own ({@code seconds}), or
     * {@code CODITECT_EMULATOR_ACK_DEADLINE} when set. The emulator can go on counting a stream whose connection
     * was cut as a subscriber and hand it a message; that message comes back only after the ack deadline (ten
     * minutes for provisioning), so tests set it short.
     */
    private static int ackDeadline(Environment env, int seconds) {
        Duration configured = env.duration("CODITECT_EMULATOR_ACK_DEADLINE", Duration.ofSeconds(seconds));
        if (configured.compareTo(Duration.ofSeconds(10)) < 0 || configured.compareTo(Duration.ofSeconds(600)) > 0) {
            throw new IllegalArgumentException("CODITECT_EMULATOR_ACK_DEADLINE must be from 10s to 600s, as "
                    + "Pub/Sub allows; got " + configured.toSeconds() + "s. e.g. CODITECT_EMULATOR_ACK_DEADLINE=10s");
        }
        return (int) configured.toSeconds();
    }

    /** Serves a Pub/Sub function behind its own invoker and feeds it from its subscription, as Eventarc does. */
    private static void serve(Deque<AutoCloseable> resources, PubSubConnection pubsub, Options options, Topic topic,
                              String consumer, PubSubFunction function) {
        String subscription = PubSubTopology.subscriptionId(topic, consumer);
        LocalEventGateway.mount(subscription, function);
        resources.push(() -> LocalEventGateway.unmount(subscription));
        InvokerServer server = InvokerServer.start(options.invokerJar(), FreePorts.any(), LocalEventGateway.class,
                "cloudevent");
        resources.push(server);
        resources.push(EventarcBridge.start(pubsub, topic.id(), subscription,
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

    public String baseUrl() {
        return baseUrl;
    }

    public Platform platform() {
        return platform;
    }

    /** The started extension of type {@code type}, if it is on the classpath. */
    public <T extends PlatformExtension> java.util.Optional<T> extension(Class<T> type) {
        return extensions.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Where events go: the in-process bus, or the Pub/Sub emulator's project. */
    public EventsConfig events() {
        return events;
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
