package ai.coditect.shared.events;

/** The Pub/Sub topics of the platform. */
public enum Topic {
    WORKSPACE_REQUESTS("workspace-requests"),
    CLEANUP_TICKS("cleanup-ticks"),
    AGENT_EVENTS("agent-events"),
    KNOWLEDGE_INDEX("knowledge-index");

    private final String id;

    Topic(String id) {
        this.id = id;
    }

    /** The topic id in Pub/Sub. */
    public String id() {
        return id;
    }
}
