package ai.coditect.functions.workspaces;

import ai.coditect.shared.config.Environment;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How workspaces are made: the backend, the images and their resources, the volume, the network rules, the URL
 * template, how the sidecar reaches the platform, and how often a provisioning workspace's pod is looked at.
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
        URI localCodi2Url) {

    /** Requests and limits of one container. */
    public record Resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
    }

    public static WorkspacesConfig fromEnvironment(Environment env, String defaultBackend, URI platformUrl,
                                                   Duration refreshInterval) {
        return new WorkspacesConfig(
                env.get("CODITECT_WORKSPACE_BACKEND", defaultBackend),
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
                env.url("CODI2_URL", "ws://127.0.0.1:7070"));
    }

    public String urlFor(Workspace ws) {
        return urlTemplate.replace("{id}", ws.id()).replace("{user}", ws.userId());
    }

    /**
     * With {@code interval} between two looks at the cluster for one provisioning workspace (zero: at every
     * status poll).
     */
    public WorkspacesConfig withRefreshInterval(Duration interval) {
        return new WorkspacesConfig(backend, urlTemplate, theiaImage, codi2Image, sidecarImage, theia, codi2, sidecar,
                storageSize, storageClass, ingressNamespace, blockedCidrs, platformUrl, interval, sidecarJar,
                localTheiaUrl, localCodi2Url);
    }
}
