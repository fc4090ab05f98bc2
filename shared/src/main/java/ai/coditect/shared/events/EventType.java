package ai.coditect.shared.events;

import java.util.Optional;

/** Every event type the platform publishes, with its current schema version and its topic. */
public enum EventType {
    WORKSPACE_PROVISION_REQUESTED("workspace.provision.requested", 1, Topic.WORKSPACE_REQUESTS, true),
    WORKSPACE_STOP_REQUESTED("workspace.stop.requested", 1, Topic.WORKSPACE_REQUESTS, true),
    ACCOUNT_DELETION_REQUESTED("account.deletion.requested", 1, Topic.WORKSPACE_REQUESTS, true),
    CLEANUP_TICK("cleanup.tick", 1, Topic.CLEANUP_TICKS, false),
    AGENT_REGISTERED("agent.registered", 1, Topic.AGENT_EVENTS, false),
    AGENT_DEREGISTERED("agent.deregistered", 1, Topic.AGENT_EVENTS, false),
    AGENT_LEASE_EXPIRED("agent.lease.expired", 1, Topic.AGENT_EVENTS, false),
    TASK_SUBMITTED("task.submitted", 1, Topic.AGENT_EVENTS, false),
    TASK_REQUEUED("task.requeued", 1, Topic.AGENT_EVENTS, false),
    TASK_HANDED_OFF("task.handed-off", 1, Topic.AGENT_EVENTS, false),
    TASK_COMPLETED("task.completed", 1, Topic.AGENT_EVENTS, false),
    TASK_FAILED("task.failed", 1, Topic.AGENT_EVENTS, false),
    TASK_REJECTED("task.rejected", 1, Topic.AGENT_EVENTS, false),
    TASK_CANCELED("task.canceled", 1, Topic.AGENT_EVENTS, false),
    KNOWLEDGE_DOCUMENT_SUBMITTED("knowledge.document.submitted", 1, Topic.KNOWLEDGE_INDEX, false),
    KNOWLEDGE_DOCUMENT_DELETED("knowledge.document.deleted", 1, Topic.KNOWLEDGE_INDEX, false);

    private final String wireName;
    private final int version;
    private final Topic topic;
    private final boolean orderedPerUser;

    EventType(String wireName, int version, Topic topic, boolean orderedPerUser) {
        this.wireName = wireName;
        this.version = version;
        this.topic = topic;
        this.orderedPerUser = orderedPerUser;
    }

    public String wireName() {
        return wireName;
    }

    public int version() {
        return version;
    }

    public Topic topic() {
        return topic;
    }

    /** Events of one user on this topic must be handled in order (provision before stop), so the user id orders them. */
    public boolean orderedPerUser() {
        return orderedPerUser;
    }

    public static Optional<EventType> fromWireName(String name) {
        for (EventType t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
