package ai.coditect.functions.cleanup;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.agents.AgentPolicy;
import ai.coditect.functions.agents.Agents;
import ai.coditect.functions.auth.LoginPolicy;
import ai.coditect.functions.auth.SignupPolicy;
import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.events.PubSubFunction;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.EventPublisher;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.logging.CloudLogging;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.logging.Level;

/**
 * Cloud Function on {@code cleanup-ticks}: expired sessions, idle workspaces, expired idempotency records and
 * attempt windows, due agent leases and claims; and each tick relays whatever the outbox still holds.
 */
public final class CleanupFunction extends PubSubFunction {

    /**
     * What the cleanup function reads: its store and events, the idle timeout of workspaces, and the windows of
     * login failures and signups (their records expire with them), and the agent registry's policy (for reaping).
     */
    public record Config(StoreConfig store, EventsConfig events, CleanupPolicy cleanup, Duration loginWindow,
                         Duration signupWindow, AgentPolicy agents, Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), EventsConfig.read(env, defaults),
                    new CleanupPolicy(env.duration("CODITECT_WORKSPACE_IDLE_TIMEOUT",
                            CleanupPolicy.DEFAULT.workspaceIdleTimeout()), CleanupPolicy.DEFAULT.batchSize()),
                    env.duration("CODITECT_LOGIN_FAILURE_WINDOW", LoginPolicy.DEFAULT.window()),
                    env.duration("CODITECT_SIGNUP_WINDOW", SignupPolicy.DEFAULT.window()),
                    AgentPolicy.read(env), CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public CleanupFunction() {
        this(deployed(configuration(System.getenv())));
    }

    public CleanupFunction(EventConsumer consumer) {
        super(consumer);
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    /**
     * The consumer of {@code cleanup-ticks} on {@code store}: stop requests for idle workspaces go to {@code events},
     * {@code reaper} ends due agent leases and claims, and the {@code outbox} is relayed at the end of each tick.
     */
    public static EventConsumer consumer(Config config, Store store, EventPublisher events, Outbox outbox,
                                         IntSupplier reaper, Clock clock, PrometheusRegistry metrics) {
        CleanupService cleanup = new CleanupService(store.database(), store.keyspace(), clock, events,
                config.cleanup(), new LoginPolicy(LoginPolicy.DEFAULT.maxFailures(), config.loginWindow()),
                new SignupPolicy(SignupPolicy.DEFAULT.maxPerAddress(), config.signupWindow(),
                        SignupPolicy.DEFAULT.forwardedHop()),
                new ProcessedEvents(store.keyspace(), ProcessedEvents.DEFAULT_RETENTION), metrics);
        return new EventConsumer("cleanup", (event, attempt) -> {
            if (event.eventType() != EventType.CLEANUP_TICK) {
                throw new UnprocessableEventException("cleanup reads cleanup.tick events, not " + event.type());
            }
            cleanup.handle(event);
            reaper.getAsInt();
            outbox.relay(); // what a broker outage left behind goes out at the latest with the next tick
        });
    }

    private static EventConsumer deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Clock clock = Clock.systemUTC();
        Store store = Store.open(config.store());
        PrometheusRegistry metrics = new PrometheusRegistry();
        EventPublisher events = config.events().publisher(clock);
        Outbox outbox = new Outbox(store.database(), store.keyspace(), events, config.events().publishTimeout(),
                metrics);
        return consumer(config, store, events, outbox,
                Agents.reaper(store.database(), store.keyspace(), clock, outbox, config.agents()), clock, metrics);
    }
}
