package ai.coditect.functions.workspaces;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.auth.AccountDeletion;
import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.events.PubSubFunction;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.logging.CloudLogging;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.util.Map;
import java.util.logging.Level;

/**
 * Cloud Function on {@code workspace-requests}: provisions and stops workspaces on Kubernetes, and removes what an
 * account deletion leaves (those requests share the topic, ordered per user after provisioning and stops).
 */
public final class ProvisionFunction extends PubSubFunction {

    /** What the provision function reads: its store and the cluster workspaces are made on. */
    public record Config(StoreConfig store, WorkspacesConfig workspaces, Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), WorkspacesConfig.read(env, defaults),
                    CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public ProvisionFunction() {
        this(deployed(configuration(System.getenv())));
    }

    public ProvisionFunction(EventConsumer consumer) {
        super(consumer);
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    /** The provisioner on {@code store} and {@code backend}; its phases are measured in {@code metrics}. */
    public static ProvisionService service(Store store, WorkspaceBackend backend, Clock clock,
                                           PrometheusRegistry metrics) {
        return new ProvisionService(store.database(), new WorkspaceStore(store.keyspace()),
                new ProcessedEvents(store.keyspace(), ProcessedEvents.DEFAULT_RETENTION), backend, clock, metrics);
    }

    /** The backend {@code config} names: a Kubernetes cluster, or local sidecar processes logging to {@code logDir}. */
    public static WorkspaceBackend backend(WorkspacesConfig config, java.nio.file.Path logDir) {
        return WorkspaceBackends.create(config, logDir);
    }

    /** The consumer of {@code workspace-requests}: provisioning and stops, and account deletions. */
    public static EventConsumer consumer(Store store, ProvisionService provisioner, Clock clock) {
        AccountDeletion deletion = new AccountDeletion(store.database(), store.keyspace(),
                new ProcessedEvents(store.keyspace(), ProcessedEvents.DEFAULT_RETENTION), provisioner, clock);
        return new EventConsumer("provision", (event, attempt) -> {
            if (event.eventType() == EventType.ACCOUNT_DELETION_REQUESTED) {
                deletion.handle(event);
            } else {
                provisioner.handle(event);
            }
        });
    }

    private static EventConsumer deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Clock clock = Clock.systemUTC();
        Store store = Store.open(config.store());
        WorkspaceBackend backend = WorkspaceBackends.create(config.workspaces(), Defaults.DEPLOYED.logDirectory());
        return consumer(store, service(store, backend, clock, new PrometheusRegistry()), clock);
    }
}
