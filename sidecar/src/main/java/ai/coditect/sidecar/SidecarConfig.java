package ai.coditect.sidecar;

import ai.coditect.shared.config.BrowserSettings;
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
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Everything the sidecar reads from its environment, read once at start and validated. The provisioner fills
 * these in for every workspace pod; the README lists each with its default.
 *
 * @param publicScheme the scheme browsers use to reach the sidecar ({@code http} or {@code https}): it decides
 *                     the cookie's {@code Secure} flag and the {@code X-Forwarded-Proto} Theia sees, and is never
 *                     taken from a request header, which any peer could send
 * @param codi2Url     CODI2's WebSocket URL, or empty when the workspace has no CODI2 ({@code /codi2} then answers 503)
 * @param webOrigin    the web app's origin, the only other site allowed to frame the sidecar (the {@code /ide} page)
 * @param signInUrl    where refused browser navigations are sent to sign in
 * @param cookieName   the sidecar's own cookie, named per workspace because cookies ignore ports: on one host every
 *                     workspace's cookie reaches every other workspace's port
 * @param cookieSameSite {@code Strict} (the default: the web app and the workspace are one site, as on loopback), or
 *                     {@code None} when the web app frames workspaces served from a site of their own, whose
 *                     Strict or Lax cookies a browser does not send inside a cross-site frame ({@code None} adds
 *                     {@code Secure; Partitioned}, so the cookie lives only under the site that framed it)
 */
public record SidecarConfig(
        String host,
        int port,
        int managementPort,
        URI theiaUrl,
        Optional<URI> codi2Url,
        String ownerUserId,
        String ownerTenantId,
        URI jwksUrl,
        URI sessionUrl,
        String issuer,
        String audience,
        String agentToken,
        URI activityUrl,
        Set<String> allowedOrigins,
        String publicScheme,
        Optional<String> webOrigin,
        URI signInUrl,
        String cookieName,
        String cookieSameSite,
        Duration pingInterval,
        Duration idleTimeout,
        int maxConnections,
        int maxFrameBytes,
        Duration backendTimeout,
        Duration sessionRecheck,
        Duration sessionCacheActive,
        Duration sessionCacheInactive,
        Duration activityInterval) {

    /** Revocation must reach open sockets and plain requests within this time. */
    public static final Duration REVOCATION_BOUND = Duration.ofSeconds(5);
    /** Sockets are closed at the first re-check after a revocation, once the platform answers: a second to spare. */
    private static final Duration MAX_RECHECK = Duration.ofSeconds(4);
    /** Cookie names are RFC 6265 tokens; ours are kept to a safe subset of them. */
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    public SidecarConfig {
        if (ownerUserId == null || ownerUserId.isBlank() || ownerTenantId == null || ownerTenantId.isBlank()) {
            throw new IllegalArgumentException("Set CODITECT_OWNER_USER_ID and CODITECT_OWNER_TENANT_ID: the workspace's owner.");
        }
        if (sessionCacheActive.compareTo(REVOCATION_BOUND) > 0 || sessionCacheInactive.compareTo(REVOCATION_BOUND) > 0
                || sessionRecheck.compareTo(MAX_RECHECK) > 0) {
            throw new IllegalArgumentException("CODITECT_SESSION_CACHE_ACTIVE and CODITECT_SESSION_CACHE_INACTIVE "
                    + "may be 5s at most and CODITECT_SESSION_RECHECK 4s (e.g. 4s each), or revocation would reach "
                    + "open connections later than 5 s.");
        }
        if (maxConnections < 1 || maxFrameBytes < 1024) {
            throw new IllegalArgumentException("CODITECT_MAX_CONNECTIONS must be positive and CODITECT_MAX_FRAME_BYTES at least 1024.");
        }
        BrowserSettings.check(publicScheme, webOrigin, cookieSameSite);
        if (!COOKIE_NAME.matcher(cookieName).matches()) {
            throw new IllegalArgumentException("CODITECT_COOKIE_NAME may hold letters, digits, '_' and '-' only "
                    + "(e.g. coditect_token_ws1); got '" + cookieName + "'.");
        }
    }

    public static SidecarConfig fromEnvironment(Map<String, String> values) {
        Environment env = new Environment(values);
        String host = env.get("HOST", "0.0.0.0");
        String owner = env.get("CODITECT_OWNER_USER_ID", null);
        String issuer = env.required("CODITECT_ISSUER", "the issuer of the platform's tokens.");
        BrowserSettings browser = BrowserSettings.read(env, issuer, host);
        return new SidecarConfig(
                host,
                env.integer("PORT", 8080),
                env.integer("MANAGEMENT_PORT", 9090),
                env.url("THEIA_URL", "http://127.0.0.1:3000"),
                codi2(env),
                owner,
                env.get("CODITECT_OWNER_TENANT_ID", null),
                env.url("CODITECT_JWKS_URL", null),
                env.url("CODITECT_SESSION_URL", null),
                issuer,
                env.get("CODITECT_AUDIENCE", "coditect"),
                agentToken(env),
                env.url("CODITECT_ACTIVITY_URL", null),
                origins(env.get("CODITECT_ALLOWED_ORIGINS", "")),
                browser.publicScheme(),
                browser.webOrigin(),
                browser.signInUrl(),
                env.get("CODITECT_COOKIE_NAME", "coditect_token_"
                        + (owner == null ? "" : owner.replaceAll("[^A-Za-z0-9_-]", ""))),
                browser.cookieSameSite(),
                env.duration("CODITECT_PING_INTERVAL", Duration.ofSeconds(20)),
                env.duration("CODITECT_IDLE_TIMEOUT", Duration.ofMinutes(10)),
                env.integer("CODITECT_MAX_CONNECTIONS", 1024),
                env.integer("CODITECT_MAX_FRAME_BYTES", 16 * 1024 * 1024),
                env.duration("CODITECT_BACKEND_TIMEOUT", Duration.ofSeconds(120)),
                env.duration("CODITECT_SESSION_RECHECK", Duration.ofSeconds(4)),
                env.duration("CODITECT_SESSION_CACHE_ACTIVE", Duration.ofSeconds(4)),
                env.duration("CODITECT_SESSION_CACHE_INACTIVE", Duration.ofSeconds(5)),
                env.duration("CODITECT_ACTIVITY_INTERVAL", Duration.ofMinutes(1)));
    }

    /** {@code CODI2_URL}; {@code none} (or {@code off}) says the workspace has no CODI2. */
    private static Optional<URI> codi2(Environment env) {
        String raw = env.get("CODI2_URL", "ws://127.0.0.1:7070");
        if (raw.equalsIgnoreCase("none") || raw.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        return Optional.of(env.url("CODI2_URL", "ws://127.0.0.1:7070"));
    }

    /**
     * The web app is served by the platform that issues the tokens (one site for the dashboard and the API), so
     * the issuer's origin is the default web origin; an issuer that is no http(s) URL gives none.
     */
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

    /** Whether browsers reach the sidecar over TLS (terminated here or by the ingress in front). */
    public boolean https() {
        return publicScheme.equals("https");
    }
}
