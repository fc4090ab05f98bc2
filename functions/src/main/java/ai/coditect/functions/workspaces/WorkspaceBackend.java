package ai.coditect.functions.workspaces;

/**
 * Where workspaces run: Kubernetes in production (and with any cluster configured), or local processes for
 * {@code ./coditect dev}. Every operation is idempotent: applying what exists, stopping what is stopped and
 * deleting what is gone are not errors.
 */
public interface WorkspaceBackend {
    /** What {@link #apply} put in place. {@code agentToken} is the token the workspace actually holds. */
    record Applied(String namespace, String pod, String service, String url, String agentToken) {
    }

    /** The state of a workspace's pod, as far as readiness goes. */
    record PodState(Phase phase, String message) {
        /** From nothing to ready, or failed. */
        public enum Phase { MISSING, PENDING, SCHEDULED, READY, FAILED }

        static PodState of(Phase phase) {
            return new PodState(phase, null);
        }
    }

    String name();

    /**
     * Creates whatever of the workspace is missing. {@code proposedAgentToken} is used for a new Secret; when the
     * Secret exists already (an earlier, interrupted run), its token is kept and returned.
     */
    Applied apply(Workspace workspace, String proposedAgentToken) throws WorkspaceBackendException;

    PodState podState(Workspace workspace) throws WorkspaceBackendException;

    /** Stops the workspace (pod and service), keeping its volume. */
    void stop(Workspace workspace) throws WorkspaceBackendException;

    /** Removes everything of the workspace, its volume included. */
    void delete(Workspace workspace) throws WorkspaceBackendException;
}
