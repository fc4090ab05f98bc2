package ai.coditect.functions.agents;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.tuple.Tuple;

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
        return bytes == null ? null : Json.read(bytes, Agent.class);
    }

    /** The last epoch handed out for {@code agentId} and the workspace it belongs to, or null for an unknown id. */
    Tuple lastEpoch(ReadTransaction tr, String tenantId, String agentId) {
        byte[] bytes = tr.get(keys.agentEpoch(tenantId, agentId)).join();
        return bytes == null ? null : Tuple.fromBytes(bytes);
    }

    /** Writes a new registration: record, epoch, skill index, lease index, and the tenant in cleanup's list. */
    void register(Transaction tr, Agent agent) {
        tr.set(keys.agent(agent.tenantId(), agent.id()), Json.bytes(agent));
        tr.set(keys.agentEpoch(agent.tenantId(), agent.id()), Tuple.from(agent.epoch(), agent.workspaceId()).pack());
        for (String skill : agent.card().skillIds()) {
            tr.set(keys.agentBySkill(agent.tenantId(), skill, agent.id()), new byte[0]);
        }
        tr.set(keys.agentLeaseExpiry(agent.tenantId(), agent.leaseExpiresAt().toEpochMilli(), agent.id()),
                new byte[0]);
        tr.set(keys.agentTenant(agent.tenantId()), new byte[0]);
    }

    void renew(Transaction tr, Agent before, Agent after) {
        tr.clear(keys.agentLeaseExpiry(before.tenantId(), before.leaseExpiresAt().toEpochMilli(), before.id()));
        tr.set(keys.agentLeaseExpiry(after.tenantId(), after.leaseExpiresAt().toEpochMilli(), after.id()),
                new byte[0]);
        tr.set(keys.agent(after.tenantId(), after.id()), Json.bytes(after));
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
