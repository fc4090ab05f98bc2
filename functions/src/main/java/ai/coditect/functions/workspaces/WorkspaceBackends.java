package ai.coditect.functions.workspaces;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Supplier;

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
            case "kubernetes" -> new OnFirstCall(() -> new KubernetesWorkspaces(cluster(), config));
            case "local" -> LocalWorkspaces.create(config, logDir);
            default -> throw new IllegalStateException("unknown workspace backend " + config.backend());
        };
    }

    /**
     * Kubernetes, connected at the first call: most requests of the workspaces function never ask the cluster, and
     * a function's start does not wait for the client.
     */
    private static final class OnFirstCall implements WorkspaceBackend {
        private final Supplier<WorkspaceBackend> connect;
        private WorkspaceBackend connected;

        OnFirstCall(Supplier<WorkspaceBackend> connect) {
            this.connect = connect;
        }

        private synchronized WorkspaceBackend backend() {
            if (connected == null) {
                connected = connect.get();
            }
            return connected;
        }

        @Override
        public String name() {
            return "kubernetes";
        }

        @Override
        public Applied apply(Workspace workspace, String proposedAgentToken) throws WorkspaceBackendException {
            return backend().apply(workspace, proposedAgentToken);
        }

        @Override
        public PodState podState(Workspace workspace) throws WorkspaceBackendException {
            return backend().podState(workspace);
        }

        @Override
        public void stop(Workspace workspace) throws WorkspaceBackendException {
            backend().stop(workspace);
        }

        @Override
        public void delete(Workspace workspace) throws WorkspaceBackendException {
            backend().delete(workspace);
        }
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
