package ai.coditect.functions.workspaces;

import ai.coditect.functions.Defaults;
import ai.coditect.shared.config.BrowserSettings;
import ai.coditect.shared.config.Environment;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How workspaces are made: the backend, the images and their resources, the volume, the network rules, the URL
 * template, how the sidecar reaches the platform, and how often a provisioning workspace's pod is looked at.
 * {@code backend} is {@code kubernetes} or {@code local}: {@code auto} is resolved when the configuration is read;
 * {@code local} holds the local backend's own settings (null for Kubernetes).
 */
public record WorkspacesConfig(
        String backend,
        String urlTemplate,
        String theiaImage,
        String codi2Image,
        String sidecarImage,
        Resources theia,
        Resources codi2,
        Resources sidecar,
        String storageSize,
        String storageClass,
        String ingressNamespace,
        List<String> blockedCidrs,
        URI platformUrl,
        Duration refreshInterval,
        Path sidecarJar,
        URI localTheiaUrl,
        URI localCodi2Url,
        Local local,
        Map<String, String> sidecarSettings) {

    /**
     * The sidecar's browser-facing settings that a cluster's workspace sidecars take from the provisioner's
     * environment when it sets them: where the web app lives (it may frame the IDE and is where sign-in is), and
     * the cookie's scheme and SameSite, which a web app on another site than the workspaces needs as {@code None}.
     */
    static final List<String> SIDECAR_SETTINGS = List.of("CODITECT_WEB_ORIGIN", "CODITECT_SIGN_IN_URL",
            "CODITECT_COOKIE_SAMESITE", "CODITECT_PUBLIC_SCHEME");

    /** Requests and limits of one container. */
    public record Resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
    }

    /**
     * The local backend's own settings: {@code ide} is {@code auto} or {@code off}; a {@code sharedTheiaUrl} (a set
     * {@code THEIA_URL}) serves every workspace instead of an IDE of its own; the web app's origin frames the IDE.
     */
    public record Local(String ide, Path ideDir, Path ideCache, URI sharedTheiaUrl, String webOrigin) {
        public Local {
            if (!ide.equals("auto") && !ide.equals("off")) {
                throw new IllegalArgumentException("CODITECT_IDE must be auto or off; got '" + ide
                        + "'. e.g. CODITECT_IDE=off");
            }
        }
    }

    public WorkspacesConfig {
        sidecarSettings = sidecarSettings == null ? Map.of() : Map.copyOf(sidecarSettings);
        if (!sidecarSettings.isEmpty() && platformUrl != null) {
            // what every workspace's sidecar would refuse at its start stops the provisioner instead, with the
            // sidecar's own check: a cluster sidecar listens on all addresses and trusts the platform as issuer
            BrowserSettings.read(new Environment(sidecarSettings), platformUrl.toString(), "0.0.0.0");
        }
        if (backend == null || !backend.equals("kubernetes") && !backend.equals("local")) {
            throw new IllegalArgumentException("CODITECT_WORKSPACE_BACKEND must be kubernetes, local or auto; got '"
                    + backend + "'. e.g. CODITECT_WORKSPACE_BACKEND=kubernetes");
        }
    }

    /**
     * What a function that makes or reads workspaces reads: {@code CODITECT_WORKSPACE_*} and the images, the
     * platform's URL ({@code CODITECT_PUBLIC_URL}, else {@code CODITECT_ISSUER}), and for the local backend the IDE's.
     */
    public static WorkspacesConfig read(Environment env, Defaults defaults) {
        String platformUrl = env.get("CODITECT_PUBLIC_URL").or(() -> env.get("CODITECT_ISSUER"))
                .orElse(defaults.issuer());
        if (platformUrl == null) {
            throw new IllegalArgumentException("Set CODITECT_PUBLIC_URL (or CODITECT_ISSUER): the platform's public URL, "
                    + "given to workspace sidecars. e.g. CODITECT_PUBLIC_URL=https://coditect.example.com");
        }
        return fromEnvironment(env, defaults.workspaceBackend(), env.url("CODITECT_PUBLIC_URL", platformUrl),
                defaults.workspaceRefresh());
    }

    public static WorkspacesConfig fromEnvironment(Environment env, String defaultBackend, URI platformUrl,
                                                   Duration refreshInterval) {
        String named = env.get("CODITECT_WORKSPACE_BACKEND", defaultBackend);
        String backend = named.equals("auto") ? (clusterConfigured(env) ? "kubernetes" : "local") : named;
        return new WorkspacesConfig(
                backend,
                env.get("CODITECT_WORKSPACE_URL_TEMPLATE", "https://{id}.ws.coditect.local/"),
                env.get("CODITECT_THEIA_IMAGE", "ghcr.io/coditect/theia:1.74.1"),
                env.get("CODITECT_CODI2_IMAGE", "ghcr.io/coditect/codi2:latest"),
                env.get("CODITECT_SIDECAR_IMAGE", "ghcr.io/coditect/sidecar:latest"),
                new Resources(env.get("CODITECT_THEIA_CPU_REQUEST", "500m"),
                        env.get("CODITECT_THEIA_MEMORY_REQUEST", "1Gi"),
                        env.get("CODITECT_THEIA_CPU_LIMIT", "2"), env.get("CODITECT_THEIA_MEMORY_LIMIT", "4Gi")),
                new Resources("100m", "256Mi", "1", "1Gi"),
                new Resources("100m", "128Mi", "500m", "512Mi"),
                env.get("CODITECT_WORKSPACE_STORAGE", "10Gi"),
                env.get("CODITECT_WORKSPACE_STORAGE_CLASS", null),
                env.get("CODITECT_INGRESS_NAMESPACE", "ingress-nginx"),
                Arrays.stream(env.get("CODITECT_WORKSPACE_BLOCKED_CIDRS", "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16")
                        .split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                platformUrl,
                env.durationOrZero("CODITECT_WORKSPACE_REFRESH_INTERVAL", refreshInterval),
                Path.of(env.get("CODITECT_SIDECAR_JAR", "sidecar/target/coditect-sidecar.jar")),
                env.url("THEIA_URL", "http://127.0.0.1:3000"),
                env.url("CODI2_URL", "ws://127.0.0.1:7070"),
                backend.equals("local") ? local(env, platformUrl) : null,
                sidecarSettings(env));
    }

    private static Map<String, String> sidecarSettings(Environment env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : SIDECAR_SETTINGS) {
            env.get(name).ifPresent(value -> out.put(name, value));
        }
        return Map.copyOf(out);
    }

    private static Local local(Environment env, URI platformUrl) {
        Path defaultCache = env.get("XDG_CACHE_HOME").map(Path::of)
                .orElse(Path.of(env.get("HOME", System.getProperty("user.home")), ".cache"))
                .resolve("coditect").resolve("ide");
        return new Local(env.get("CODITECT_IDE", "auto"),
                Path.of(env.get("CODITECT_IDE_DIR", "ide")).toAbsolutePath(),
                env.get("CODITECT_IDE_CACHE").map(p -> Path.of(p).toAbsolutePath()).orElse(defaultCache),
                env.get("THEIA_URL").isPresent() ? env.url("THEIA_URL", null) : null,
                env.get("CODITECT_WEB_ORIGIN", platformUrl.toString()));
    }

    /** A cluster is configured: {@code KUBECONFIG} names a file, the process runs in a pod, or {@code ~/.kube/config}. */
    static boolean clusterConfigured(Environment env) {
        if (env.get("KUBECONFIG").filter(k -> Files.exists(Path.of(k.split(":")[0]))).isPresent()
                || env.get("KUBERNETES_SERVICE_HOST").isPresent()) {
            return true;
        }
        return Files.exists(Path.of(env.get("HOME", System.getProperty("user.home")), ".kube", "config"));
    }

    public String urlFor(Workspace ws) {
        return urlTemplate.replace("{id}", ws.id()).replace("{user}", ws.userId());
    }
}
