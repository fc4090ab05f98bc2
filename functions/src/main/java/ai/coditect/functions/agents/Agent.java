package ai.coditect.functions.agents;

import ai.coditect.shared.agents.AgentCard;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.ValueCodec;

import java.time.Instant;

/**
 * A registered agent, stored at {@code tenant/<tid>/agents/record/(agentId)}: its card, the workspace whose agent
 * token registered it, its epoch (the fencing token of this registration) and when its lease ends.
 */
record Agent(String id, String tenantId, String userId, String workspaceId, AgentCard card, long epoch,
             Instant registeredAt, Instant leaseExpiresAt) {
    /** How an agent is stored: the one codec of the layout's {@code agents/record} subspace. */
    static final ValueCodec<Agent> CODEC = Keyspace.record(Keyspace.Part.AGENT, Agent.class);

    boolean liveAt(Instant now) {
        return leaseExpiresAt.isAfter(now);
    }

    Agent renewed(Instant until) {
        return new Agent(id, tenantId, userId, workspaceId, card, epoch, registeredAt, until);
    }
}
