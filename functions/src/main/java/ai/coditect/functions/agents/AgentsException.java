package ai.coditect.functions.agents;

/** A request the registry refuses; the reason carries the HTTP status and the stable code. */
final class AgentsException extends RuntimeException {
    /** Why, with status and code as the HTTP contract gives them. */
    public enum Reason {
        MALFORMED_ID(400, "malformed_id"),
        INVALID_CARD(400, "invalid_card"),
        INVALID_TASK(400, "invalid_task"),
        INVALID_REQUEST(400, "invalid_request"),
        UNKNOWN_SKILL(400, "unknown_skill"),
        AGENT_TOKEN_REQUIRED(403, "agent_token_required"),
        AGENT_NOT_FOUND(404, "agent_not_found"),
        TASK_NOT_FOUND(404, "task_not_found"),
        STALE_EPOCH(409, "stale_epoch"),
        LEASE_EXPIRED(409, "lease_expired"),
        STALE_CLAIM(409, "stale_claim"),
        TASK_FINISHED(409, "task_finished"),
        IDEMPOTENCY_KEY_REUSED(409, "idempotency_key_reused"),
        TOO_LARGE(413, "payload_too_large");

        private final int status;
        private final String code;

        Reason(int status, String code) {
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public AgentsException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
