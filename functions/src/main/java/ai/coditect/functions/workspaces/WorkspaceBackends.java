package ai.coditect.functions.workspaces;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Makes the workspace backend the configuration names: {@code kubernetes} (a cluster from the kubeconfig or from
 * inside a pod) or {@code local} (sidecar processes). {@code auto} was resolved when the configuration was read.
 */
final class WorkspaceBackends {
    private WorkspaceBackends() {
    }

    /** The backend of {@code config}; a local one logs to {@code logDir}. */
    public static WorkspaceBackend create(WorkspacesConfig config, Path logDir) {
        return switch (config.backend()) {
            case "kubernetes" -> new KubernetesWorkspaces(cluster(), config);
            case "local" -> LocalWorkspaces.create(config, logDir);
            default -> throw new IllegalStateException("unknown workspace backend " + config.backend());
        };
    }

    private static ApiClient cluster() {
        try {
            ApiClient client = ClientBuilder.standard().build();
            client.setConnectTimeout(5_000);
            client.setReadTimeout(20_000);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Kubernetes configuration (KUBECONFIG, ~/.kube/config or "
                    + "the pod's service account)", e);
        }
    }
}
