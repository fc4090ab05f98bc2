package ai.coditect.functions.workspaces;

/** Why a workspace request was refused; the HTTP layer turns the reason into a status and a problem code. */
public final class WorkspaceException extends RuntimeException {
    /** The refusals, named after their problem codes. */
    public enum Reason {
        NO_WORKSPACE("no_workspace"),
        INVALID_TRANSITION("invalid_transition"),
        AGENT_TOKEN_INVALID("agent_token_invalid");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public WorkspaceException(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
