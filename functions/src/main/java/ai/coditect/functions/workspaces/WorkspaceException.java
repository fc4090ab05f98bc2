package ai.coditect.functions.workspaces;

import java.util.Locale;

/** Why a workspace request was refused; the HTTP layer turns the reason into a status and a problem code. */
final class WorkspaceException extends RuntimeException {
    /** The refusals, named after their problem codes. */
    public enum Reason {
        NO_WORKSPACE,
        INVALID_TRANSITION,
        AGENT_TOKEN_INVALID;

        /** The problem code: the name in lower case. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
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
