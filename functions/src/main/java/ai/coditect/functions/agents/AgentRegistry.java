package ai.coditect.functions.agents;

import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The agents of every tenant: registration with a lease and an epoch (bumped by every registration, so an older
 * incarnation of the same agent is fenced off), renewal, deregistration, discovery by skill, and the end of a
 * lease, which makes the agent invisible and offers its tasks again. Knows nothing of HTTP.
 */
final class AgentRegistry {
    private final Database db;
    private final Keyspace keys;
    private final AgentStore agents;
    private final TaskBoard board;
    private final AgentPolicy policy;
    private final Clock clock;

    AgentRegistry(Database db, Keyspace keys, TaskBoard board, AgentPolicy policy, Clock clock) {
        this.db = db;
        this.keys = keys;
        this.agents = new AgentStore(keys);
        this.board = board;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Registers an agent of the caller's workspace. With {@code agentId} (an agent of the same workspace, live or
     * not) the same agent registers again: its epoch goes up by one, and whatever the older registration held is
     * offered to the queues again. Without, a new agent starts at epoch 1.
     */
    Agent register(Principal p, AgentCard card, String agentId) {
        if (!(p instanceof Principal.AgentOf caller)) {
            throw new AgentsException(AgentsException.Reason.AGENT_TOKEN_REQUIRED,
                    "Agents register with their workspace agent token, not a user's token.");
        }
        String tid = p.tenantId();
        return board.change((tr, batch) -> {
            Instant now = clock.instant();
            String id = agentId;
            long epoch = 1;
            if (id != null) {
                Keyspace.AgentEpoch last = agents.lastEpoch(tr, tid, id);
                if (last == null || !last.workspaceId().equals(caller.workspaceId())) {
                    throw agentNotFound(id);
                }
                epoch = last.epoch() + 1;
                Agent older = agents.read(tr, tid, id);
                if (older != null) {
                    agents.remove(tr, older);
                    board.releaseAll(tr, tid, id, "the agent registered again (epoch " + epoch + ")", batch);
                }
            } else {
                id = Ids.newId();
            }
            Agent agent = new Agent(id, tid, p.userId(), caller.workspaceId(), card, epoch, now,
                    now.plus(policy.lease()));
            agents.register(tr, agent);
            Map<String, Object> data = data(agent);
            data.put("name", card.name());
            data.put("skills", card.skillIds());
            batch.add(EventType.AGENT_REGISTERED, tid, p.userId(), data);
            return agent;
        });
    }

    /** Extends the lease of a live agent at its current epoch. */
    Agent renew(Principal p, String agentId, long epoch) {
        return board.change((tr, batch) -> {
            Instant now = clock.instant();
            Agent agent = board.liveAgent(tr, p, agentId, epoch, now);
            Agent renewed = agent.renewed(now.plus(policy.lease()));
            agents.renew(tr, agent, renewed);
            return renewed;
        });
    }

    /** Removes an agent (its own workspace's, or any of the tenant's for a user); its tasks are offered again. */
    void deregister(Principal p, String agentId, Long epoch) {
        board.change((tr, batch) -> {
            Agent agent = agents.read(tr, p.tenantId(), agentId);
            if (agent == null || (p instanceof Principal.AgentOf caller
                    && !agent.workspaceId().equals(caller.workspaceId()))) {
                throw agentNotFound(agentId);
            }
            if (epoch != null && epoch != agent.epoch()) {
                throw new AgentsException(AgentsException.Reason.STALE_EPOCH, "Epoch " + epoch
                        + " is not the agent's current registration; nothing was changed.");
            }
            agents.remove(tr, agent);
            board.releaseAll(tr, p.tenantId(), agentId, "the agent deregistered", batch);
            batch.add(EventType.AGENT_DEREGISTERED, p.tenantId(), p.userId(), data(agent));
            return null;
        });
    }

    /** Live agents of the caller's tenant, optionally with one skill and in one workspace. */
    List<Agent> discover(Principal p, String skill, String workspaceId, int limit) {
        return Transactions.read(db, tr -> {
            Instant now = clock.instant();
            List<CompletableFuture<byte[]>> records = new ArrayList<>();
            if (skill != null) {
                for (KeyValue kv : tr.getRange(keys.agentsWithSkill(p.tenantId(), skill), 1_000).asList().join()) {
                    records.add(tr.get(keys.agent(p.tenantId(), keys.agentIdOfSkillEntry(p.tenantId(),
                            kv.getKey()))));
                }
            } else {
                for (KeyValue kv : tr.getRange(keys.agentsOfTenant(p.tenantId()), 1_000).asList().join()) {
                    records.add(CompletableFuture.completedFuture(kv.getValue()));
                }
            }
            List<Agent> out = new ArrayList<>();
            for (CompletableFuture<byte[]> r : records) {
                byte[] bytes = r.join();
                if (bytes == null) {
                    continue;
                }
                Agent a = Agent.CODEC.decode(bytes);
                if (a.liveAt(now) && (workspaceId == null || a.workspaceId().equals(workspaceId))) {
                    out.add(a);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
            return out;
        });
    }

    /** A live agent of the caller's tenant; an agent whose lease ended is not found. */
    Agent get(Principal p, String agentId) {
        Agent agent = Transactions.read(db, tr -> agents.read(tr, p.tenantId(), agentId));
        if (agent == null || !agent.liveAt(clock.instant())) {
            throw agentNotFound(agentId);
        }
        return agent;
    }

    /** Ends the registration of an agent whose lease passed (reaping); nothing when it was renewed meanwhile. */
    void expire(String tid, byte[] indexKey, String agentId) {
        board.change((tr, batch) -> {
            tr.clear(indexKey);
            Agent agent = agents.read(tr, tid, agentId);
            if (agent == null || agent.liveAt(clock.instant())) {
                if (agent != null) {
                    // the index entry was stale (cleared above); keep the live lease's own entry
                    tr.set(keys.agentLeaseExpiry(tid, agent.leaseExpiresAt().toEpochMilli(), agentId),
                            Keyspace.marker());
                }
                return null;
            }
            agents.remove(tr, agent);
            board.releaseAll(tr, tid, agentId, "the agent's lease ended", batch);
            batch.add(EventType.AGENT_LEASE_EXPIRED, tid, agent.userId(), data(agent));
            return null;
        });
    }

    static AgentsException agentNotFound(String agentId) {
        return new AgentsException(AgentsException.Reason.AGENT_NOT_FOUND, "There is no agent " + agentId + ".");
    }

    private static Map<String, Object> data(Agent agent) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("agentId", agent.id());
        data.put("epoch", agent.epoch());
        data.put("workspaceId", agent.workspaceId());
        return data;
    }
}
