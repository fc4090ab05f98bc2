package ai.coditect.functions.agents;

import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

/**
 * The keys of one agent, written together inside the caller's transaction: the record, the skill index, the
 * lease-expiry index and the epoch, which outlives the record so that epochs never repeat.
 */
final class AgentStore {
    private final Keyspace keys;

    AgentStore(Keyspace keys) {
        this.keys = keys;
    }

    Agent read(ReadTransaction tr, String tenantId, String agentId) {
        byte[] bytes = tr.get(keys.agent(tenantId, agentId)).join();
        return bytes == null ? null : Agent.CODEC.decode(bytes);
    }

    /** The last epoch handed out for {@code agentId} and the workspace it belongs to, or null for an unknown id. */
    Keyspace.AgentEpoch lastEpoch(ReadTransaction tr, String tenantId, String agentId) {
        byte[] bytes = tr.get(keys.agentEpoch(tenantId, agentId)).join();
        return bytes == null ? null : Keyspace.AGENT_EPOCH.decode(bytes);
    }

    /** Writes a new registration: record, epoch, skill index, lease index, and the tenant in cleanup's list. */
    void register(Transaction tr, Agent agent) {
        tr.set(keys.agent(agent.tenantId(), agent.id()), Agent.CODEC.encode(agent));
        tr.set(keys.agentEpoch(agent.tenantId(), agent.id()),
                Keyspace.AGENT_EPOCH.encode(new Keyspace.AgentEpoch(agent.epoch(), agent.workspaceId())));
        for (String skill : agent.card().skillIds()) {
            tr.set(keys.agentBySkill(agent.tenantId(), skill, agent.id()), Keyspace.marker());
        }
        tr.set(keys.agentLeaseExpiry(agent.tenantId(), agent.leaseExpiresAt().toEpochMilli(), agent.id()),
                Keyspace.marker());
        tr.set(keys.agentTenant(agent.tenantId()), Keyspace.marker());
    }

    void renew(Transaction tr, Agent before, Agent after) {
        tr.clear(keys.agentLeaseExpiry(before.tenantId(), before.leaseExpiresAt().toEpochMilli(), before.id()));
        tr.set(keys.agentLeaseExpiry(after.tenantId(), after.leaseExpiresAt().toEpochMilli(), after.id()),
                Keyspace.marker());
        tr.set(keys.agent(after.tenantId(), after.id()), Agent.CODEC.encode(after));
    }

    /** Removes the registration; the epoch stays. */
    void remove(Transaction tr, Agent agent) {
        tr.clear(keys.agent(agent.tenantId(), agent.id()));
        for (String skill : agent.card().skillIds()) {
            tr.clear(keys.agentBySkill(agent.tenantId(), skill, agent.id()));
        }
        tr.clear(keys.agentLeaseExpiry(agent.tenantId(), agent.leaseExpiresAt().toEpochMilli(), agent.id()));
    }
}
