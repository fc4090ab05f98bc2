package ai.coditect.functions;

import ai.coditect.functions.auth.LoginPolicy;
import ai.coditect.functions.auth.SignupPolicy;
import ai.coditect.functions.cleanup.CleanupPolicy;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Everything the functions read from their environment, read once and validated; see the README's configuration
 * table. {@link #fromEnvironment} gives production's defaults, {@link #local} those of {@code ./coditect dev}.
 */
public record FunctionsConfig(
        String environment,
        String storeUrl,
        SigningKeySource signingKeys,
        String issuer,
        String audience,
        SessionPolicy sessions,
        LoginPolicy logins,
        SignupPolicy signups,
        CleanupPolicy cleanup,
        EventsConfig events,
        WorkspacesConfig workspaces,
        Level logLevel) {

    /**
     * Where events go: Google Cloud Pub/Sub in {@code gcpProject} (the emulator at {@code emulatorHost} when set),
     * or the in-process bus when {@code gcpProject} is null (local platform without an emulator).
     */
    public record EventsConfig(String gcpProject, String emulatorHost, Duration publishTimeout,
                               Duration relayInterval) {
        /** How long a publish is retried before its event is left in the outbox for a later relay. */
        public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
        /** How often the local platform relays what the outbox still holds. */
        public static final Duration DEFAULT_RELAY_INTERVAL = Duration.ofSeconds(5);

        public EventsConfig(String gcpProject, String emulatorHost) {
            this(gcpProject, emulatorHost, DEFAULT_PUBLISH_TIMEOUT, DEFAULT_RELAY_INTERVAL);
        }

        public EventsConfig {
            // The Pub/Sub client refuses to give up sooner than after 10 s.
            if (publishTimeout.compareTo(Duration.ofSeconds(10)) < 0 || relayInterval.isNegative()) {
                throw new IllegalArgumentException("the publish timeout must be at least 10s and the outbox relay "
                        + "interval not negative");
            }
        }

        public boolean pubSub() {
            return gcpProject != null;
        }
    }

    /** Where the private JWK set comes from: inline JSON (from Secret Manager), a file, or a generated file. */
    public record SigningKeySource(String json, Path file, boolean generateIfMissing) {
    }

    /** Production: FoundationDB, keys from {@code CODITECT_SIGNING_KEYS} or {@code CODITECT_SIGNING_KEYS_FILE}. */
    public static FunctionsConfig fromEnvironment(Map<String, String> values) {
        Environment env = new Environment(values);
        Optional<String> json = env.get("CODITECT_SIGNING_KEYS");
        Optional<Path> file = env.get("CODITECT_SIGNING_KEYS_FILE").map(Path::of);
        if (json.isEmpty() && file.isEmpty()) {
            throw new IllegalArgumentException("Set CODITECT_SIGNING_KEYS (the private JWK set, e.g. from Secret "
                    + "Manager) or CODITECT_SIGNING_KEYS_FILE (a path to it).");
        }
        SigningKeySource keys = new SigningKeySource(json.orElse(null), file.orElse(null), false);
        String project = env.get("CODITECT_GCP_PROJECT").or(() -> env.get("GOOGLE_CLOUD_PROJECT"))
                .orElseThrow(() -> new IllegalArgumentException(
                        "Set CODITECT_GCP_PROJECT: the project of the Pub/Sub topics."));
        String issuer = env.required("CODITECT_ISSUER", "the tokens' issuer URL.");
        return build(values, values.getOrDefault("CODITECT_STORE", "fdb:"), keys, issuer,
                events(env, project, values.get("PUBSUB_EMULATOR_HOST")), "kubernetes", Duration.ofSeconds(3));
    }

    /** The local platform: the embedded engine and generated keys in the data directory. */
    public static FunctionsConfig local(Map<String, String> values, Path dataDir, int port) {
        SigningKeySource keys = new SigningKeySource(null, dataDir.resolve("signing-keys.json"), true);
        Environment env = new Environment(values);
        EventsConfig events = env.get("PUBSUB_EMULATOR_HOST")
                .map(emulator -> events(env, values.getOrDefault("CODITECT_GCP_PROJECT", "coditect-local"), emulator))
                .orElse(events(env, null, null));
        return build(values, values.getOrDefault("CODITECT_STORE", "embedded:" + dataDir), keys,
                values.getOrDefault("CODITECT_ISSUER", "http://127.0.0.1:" + port), events, "auto",
                Duration.ofSeconds(1));
    }

    private static LoginPolicy loginPolicy(Environment env) {
        int maxFailures = env.integer("CODITECT_LOGIN_MAX_FAILURES", LoginPolicy.DEFAULT.maxFailures());
        return new LoginPolicy(maxFailures,
                env.duration("CODITECT_LOGIN_FAILURE_WINDOW", LoginPolicy.DEFAULT.window()),
                env.integer("CODITECT_LOGIN_MAX_FAILURES_PER_ADDRESS", LoginPolicy.DEFAULT_MAX_FAILURES_PER_ADDRESS),
                env.integer("CODITECT_LOGIN_SLOW_DOWN_AFTER", 4 * maxFailures),
                env.integer("CODITECT_HASH_CONCURRENCY", Runtime.getRuntime().availableProcessors()));
    }

    private static EventsConfig events(Environment env, String project, String emulatorHost) {
        return new EventsConfig(project, emulatorHost,
                env.duration("CODITECT_PUBLISH_TIMEOUT", EventsConfig.DEFAULT_PUBLISH_TIMEOUT),
                env.durationOrZero("CODITECT_OUTBOX_RELAY_INTERVAL", EventsConfig.DEFAULT_RELAY_INTERVAL));
    }

    private static FunctionsConfig build(Map<String, String> values, String store, SigningKeySource keys,
                                         String issuer, EventsConfig events, String workspaceBackend,
                                         Duration refreshInterval) {
        Environment env = new Environment(values);
        URI platformUrl = env.url("CODITECT_PUBLIC_URL", issuer);
        return new FunctionsConfig(
                env.get("CODITECT_ENV", "local"),
                store,
                keys,
                issuer,
                env.get("CODITECT_AUDIENCE", "coditect"),
                new SessionPolicy(
                        env.duration("CODITECT_SESSION_LIFETIME", SessionPolicy.DEFAULT.lifetime()),
                        env.duration("CODITECT_SESSION_IDLE_TIMEOUT", SessionPolicy.DEFAULT.idleTimeout()),
                        env.integer("CODITECT_SESSIONS_PER_USER", SessionPolicy.DEFAULT_MAX_PER_USER)),
                loginPolicy(env),
                new SignupPolicy(
                        env.integer("CODITECT_SIGNUP_MAX_PER_ADDRESS", SignupPolicy.DEFAULT.maxPerAddress()),
                        env.duration("CODITECT_SIGNUP_WINDOW", SignupPolicy.DEFAULT.window()),
                        env.integer("CODITECT_FORWARDED_HOP", SignupPolicy.DEFAULT.forwardedHop())),
                new CleanupPolicy(
                        env.duration("CODITECT_WORKSPACE_IDLE_TIMEOUT", CleanupPolicy.DEFAULT.workspaceIdleTimeout()),
                        CleanupPolicy.DEFAULT.batchSize()),
                events,
                WorkspacesConfig.fromEnvironment(env, workspaceBackend, platformUrl, refreshInterval),
                CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
    }

    public FunctionsConfig withStoreUrl(String url) {
        return new FunctionsConfig(environment, url, signingKeys, issuer, audience, sessions, logins, signups, cleanup,
                events, workspaces, logLevel);
    }

    public FunctionsConfig withSessions(SessionPolicy policy) {
        return new FunctionsConfig(environment, storeUrl, signingKeys, issuer, audience, policy, logins, signups,
                cleanup, events, workspaces, logLevel);
    }

    public FunctionsConfig withEvents(EventsConfig config) {
        return new FunctionsConfig(environment, storeUrl, signingKeys, issuer, audience, sessions, logins, signups,
                cleanup, config, workspaces, logLevel);
    }

    public FunctionsConfig withWorkspaces(WorkspacesConfig config) {
        return new FunctionsConfig(environment, storeUrl, signingKeys, issuer, audience, sessions, logins, signups,
                cleanup, events, config, logLevel);
    }
}
