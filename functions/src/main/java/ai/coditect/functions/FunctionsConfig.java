package ai.coditect.functions;

import ai.coditect.functions.auth.LoginPolicy;
import ai.coditect.functions.cleanup.CleanupPolicy;
import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.shared.logging.CloudLogging;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        CleanupPolicy cleanup,
        EventsConfig events,
        Level logLevel) {

    /**
     * Where events go: Google Cloud Pub/Sub in {@code gcpProject} (the emulator at {@code emulatorHost} when set),
     * or the in-process bus when {@code gcpProject} is null (local platform without an emulator).
     */
    public record EventsConfig(String gcpProject, String emulatorHost) {
        public boolean pubSub() {
            return gcpProject != null;
        }
    }

    /** Where the private JWK set comes from: inline JSON (from Secret Manager), a file, or a generated file. */
    public record SigningKeySource(String json, Path file, boolean generateIfMissing) {
    }

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /** Production: FoundationDB, keys from {@code CODITECT_SIGNING_KEYS} or {@code CODITECT_SIGNING_KEYS_FILE}. */
    public static FunctionsConfig fromEnvironment(Map<String, String> env) {
        String json = env.get("CODITECT_SIGNING_KEYS");
        String file = env.get("CODITECT_SIGNING_KEYS_FILE");
        if (isBlank(json) && isBlank(file)) {
            throw new IllegalArgumentException("Set CODITECT_SIGNING_KEYS (the private JWK set, e.g. from Secret "
                    + "Manager) or CODITECT_SIGNING_KEYS_FILE (a path to it).");
        }
        SigningKeySource keys = new SigningKeySource(isBlank(json) ? null : json, isBlank(file) ? null : Path.of(file),
                false);
        String project = firstOf(env, "CODITECT_GCP_PROJECT", "GOOGLE_CLOUD_PROJECT");
        if (isBlank(project)) {
            throw new IllegalArgumentException("Set CODITECT_GCP_PROJECT: the project of the Pub/Sub topics.");
        }
        return build(env, env.getOrDefault("CODITECT_STORE", "fdb:"), keys,
                required(env, "CODITECT_ISSUER"), new EventsConfig(project, env.get("PUBSUB_EMULATOR_HOST")));
    }

    /** The local platform: the embedded engine and generated keys in the data directory. */
    public static FunctionsConfig local(Map<String, String> env, Path dataDir, int port) {
        SigningKeySource keys = new SigningKeySource(null, dataDir.resolve("signing-keys.json"), true);
        String emulator = env.get("PUBSUB_EMULATOR_HOST");
        EventsConfig events = isBlank(emulator) ? new EventsConfig(null, null)
                : new EventsConfig(env.getOrDefault("CODITECT_GCP_PROJECT", "coditect-local"), emulator);
        return build(env, env.getOrDefault("CODITECT_STORE", "embedded:" + dataDir), keys,
                env.getOrDefault("CODITECT_ISSUER", "http://127.0.0.1:" + port), events);
    }

    private static FunctionsConfig build(Map<String, String> env, String store, SigningKeySource keys, String issuer,
                                         EventsConfig events) {
        return new FunctionsConfig(
                env.getOrDefault("CODITECT_ENV", "local"),
                store,
                keys,
                issuer,
                env.getOrDefault("CODITECT_AUDIENCE", "coditect"),
                new SessionPolicy(
                        duration(env, "CODITECT_SESSION_LIFETIME", SessionPolicy.DEFAULT.lifetime()),
                        duration(env, "CODITECT_SESSION_IDLE_TIMEOUT", SessionPolicy.DEFAULT.idleTimeout())),
                new LoginPolicy(
                        integer(env, "CODITECT_LOGIN_MAX_FAILURES", LoginPolicy.DEFAULT.maxFailures()),
                        duration(env, "CODITECT_LOGIN_FAILURE_WINDOW", LoginPolicy.DEFAULT.window())),
                new CleanupPolicy(
                        duration(env, "CODITECT_WORKSPACE_IDLE_TIMEOUT", CleanupPolicy.DEFAULT.workspaceIdleTimeout()),
                        CleanupPolicy.DEFAULT.batchSize()),
                events,
                CloudLogging.level(env.get("CODITECT_LOG_LEVEL")));
    }

    public FunctionsConfig withStoreUrl(String url) {
        return new FunctionsConfig(environment, url, signingKeys, issuer, audience, sessions, logins, cleanup, events,
                logLevel);
    }

    public FunctionsConfig withSessions(SessionPolicy policy) {
        return new FunctionsConfig(environment, storeUrl, signingKeys, issuer, audience, policy, logins, cleanup,
                events, logLevel);
    }

    public FunctionsConfig withCleanup(CleanupPolicy policy) {
        return new FunctionsConfig(environment, storeUrl, signingKeys, issuer, audience, sessions, logins, policy,
                events, logLevel);
    }

    public FunctionsConfig withEvents(EventsConfig config) {
        return new FunctionsConfig(environment, storeUrl, signingKeys, issuer, audience, sessions, logins, cleanup,
                config, logLevel);
    }

    /** Reads {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}, {@code 250ms} or ISO-8601 ({@code PT12H}). */
    public static Duration duration(Map<String, String> env, String name, Duration fallback) {
        String raw = env.get(name);
        if (isBlank(raw)) {
            return fallback;
        }
        String value = raw.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(value);
        try {
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got '" + raw + "'.");
            }
            return d;
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be a duration like 90s, 30m, 12h or PT12H; got '"
                    + raw + "'.");
        }
    }

    public static int integer(Map<String, String> env, String name, int fallback) {
        String raw = env.get(name);
        if (isBlank(raw)) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number; got '" + raw + "'.");
        }
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (isBlank(value)) {
            throw new IllegalArgumentException("Set " + name + ".");
        }
        return value.trim();
    }

    private static String firstOf(Map<String, String> env, String... names) {
        for (String n : names) {
            if (!isBlank(env.get(n))) {
                return env.get(n).trim();
            }
        }
        return null;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
