package ai.coditect.functions.workspaces;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Picks the workspace backend: {@code kubernetes} (a cluster from the kubeconfig or from inside a pod),
 * {@code local} (sidecar processes), or {@code auto}: Kubernetes when {@code KUBECONFIG} or
 * {@code ~/.kube/config} exists or the process runs in a cluster, local otherwise.
 */
public final class WorkspaceBackends {
    private WorkspaceBackends() {
    }

    public static WorkspaceBackend create(WorkspacesConfig config, Map<String, String> env, Path logDir) {
        String name = config.backend();
        if (name.equals("auto")) {
            name = clusterConfigured(env) ? "kubernetes" : "local";
        }
        return switch (name) {
            case "kubernetes" -> new KubernetesWorkspaces(cluster(), config);
            case "local" -> LocalWorkspaces.create(config, env, logDir);
            default -> throw new IllegalArgumentException("CODITECT_WORKSPACE_BACKEND must be kubernetes, local or "
                    + "auto; got '" + name + "'.");
        };
    }

    static boolean clusterConfigured(Map<String, String> env) {
        String kubeconfig = env.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank() && Files.exists(Path.of(kubeconfig.split(":")[0]))) {
            return true;
        }
        if (env.get("KUBERNETES_SERVICE_HOST") != null) {
            return true;
        }
        return Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }

    private static ApiClient cluster() {
        try {
            ApiClient client = ClientBuilder.standard().build();
            client.setConnectTimeout(5_000);
            client.setReadTimeout(20_000);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Kubernetes configuration", e);
        }
    }
}
