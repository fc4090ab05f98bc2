package ai.coditect.functions.workspaces;

/**
 * A failure of the cluster (or local processes) with a message the user can read, and whether trying again can
 * help (an unreachable API, a busy server) or not (a quota, a refused request).
 */
public final class WorkspaceBackendException extends Exception {
    private final boolean retryable;

    public WorkspaceBackendException(String userMessage, boolean retryable, Throwable cause) {
        super(userMessage, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
