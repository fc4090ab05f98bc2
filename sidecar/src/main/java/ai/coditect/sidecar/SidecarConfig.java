package ai.coditect.sidecar;

import ai.coditect.shared.config.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything the sidecar reads from its environment, read once at start and validated. The provisioner fills
 * these in for every workspace pod; the README lists each with its default.
 */
public record SidecarConfig(
        String host,
        int port,
        int managementPort,
        URI theiaUrl,
        URI codi2Url,
        String ownerUserId,
        String ownerTenantId,
        URI jwksUrl,
        URI sessionUrl,
        String issuer,
        String audience,
        String agentToken,
        URI activityUrl,
        Set<String> allowedOrigins,
        Duration pingInterval,
        Duration idleTimeout,
        int maxConnections,
        int maxFrameBytes,
        Duration backendTimeout,
        Duration sessionRecheck,
        Duration sessionCacheActive,
        Duration sessionCacheInactive,
        Duration activityInterval) {

    public SidecarConfig {
        if (ownerUserId == null || ownerUserId.isBlank() || ownerTenantId == null || ownerTenantId.isBlank()) {
            throw new IllegalArgumentException("Set CODITECT_OWNER_USER_ID and CODITECT_OWNER_TENANT_ID: the workspace's owner.");
        }
        if (sessionCacheActive.compareTo(Duration.ofSeconds(30)) > 0
                || sessionCacheInactive.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("Session answers may be cached 30 s (active) and 5 s (otherwise) at "
                    + "most, or revocation would reach open connections too late.");
        }
        if (maxConnections < 1 || maxFrameBytes < 1024) {
            throw new IllegalArgumentException("CODITECT_MAX_CONNECTIONS must be positive and CODITECT_MAX_FRAME_BYTES at least 1024.");
        }
    }

    public static SidecarConfig fromEnvironment(Map<String, String> values) {
        Environment env = new Environment(values);
        return new SidecarConfig(
                env.get("HOST", "0.0.0.0"),
                env.integer("PORT", 8080),
                env.integer("MANAGEMENT_PORT", 9090),
                env.url("THEIA_URL", "http://127.0.0.1:3000"),
                env.url("CODI2_URL", "ws://127.0.0.1:7070"),
                env.get("CODITECT_OWNER_USER_ID", null),
                env.get("CODITECT_OWNER_TENANT_ID", null),
                env.url("CODITECT_JWKS_URL", null),
                env.url("CODITECT_SESSION_URL", null),
                env.required("CODITECT_ISSUER", "the issuer of the platform's tokens."),
                env.get("CODITECT_AUDIENCE", "coditect"),
                agentToken(env),
                env.url("CODITECT_ACTIVITY_URL", null),
                origins(env.get("CODITECT_ALLOWED_ORIGINS", "")),
                env.duration("CODITECT_PING_INTERVAL", Duration.ofSeconds(20)),
                env.duration("CODITECT_IDLE_TIMEOUT", Duration.ofMinutes(10)),
                env.integer("CODITECT_MAX_CONNECTIONS", 1024),
                env.integer("CODITECT_MAX_FRAME_BYTES", 16 * 1024 * 1024),
                env.duration("CODITECT_BACKEND_TIMEOUT", Duration.ofSeconds(120)),
                env.duration("CODITECT_SESSION_RECHECK", Duration.ofSeconds(15)),
                env.duration("CODITECT_SESSION_CACHE_ACTIVE", Duration.ofSeconds(30)),
                env.duration("CODITECT_SESSION_CACHE_INACTIVE", Duration.ofSeconds(5)),
                env.duration("CODITECT_ACTIVITY_INTERVAL", Duration.ofMinutes(1)));
    }

    private static String agentToken(Environment env) {
        var file = env.get("CODITECT_AGENT_TOKEN_FILE");
        if (file.isPresent()) {
            try {
                return Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read CODITECT_AGENT_TOKEN_FILE " + file.get(), e);
            }
        }
        return env.required("CODITECT_AGENT_TOKEN", "the workspace agent token (or CODITECT_AGENT_TOKEN_FILE).");
    }

    private static Set<String> origins(String raw) {
        if (raw.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
