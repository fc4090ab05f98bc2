package ai.coditect.functions.agents;

/**
 * Who calls the registry: an agent, authenticated by its workspace's agent token, or a user with a bearer token.
 * Either acts only inside its tenant.
 */
sealed interface Principal {
    String tenantId();

    String userId();

    /** A stable name of the caller, the scope of its idempotency keys. */
    String name();

    /** An agent of the workspace {@code workspaceId}. */
    record AgentOf(String tenantId, String userId, String workspaceId) implements Principal {
        @Override
        public String name() {
            return "workspace:" + workspaceId;
        }
    }

    /** A signed-in user. */
    record User(String tenantId, String userId) implements Principal {
        @Override
        public String name() {
            return "user:" + userId;
        }
    }
}
