package ai.coditect.functions.agents;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.ValueCodec;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A task, stored at {@code tenant/<tid>/tasks/record/(taskId)}: what is asked (skill, input, priority), where it
 * stands, who holds it ({@link Claim}, with the claimer's epoch), and {@code seq}, the number of its last
 * history entry. Every change goes through one of the {@code with…} methods, which bump {@code seq}.
 */
record Task(String id, String tenantId, String skill, JsonNode input, int priority, TaskState state, int attempts,
            int maxAttempts, Claim claim, String targetAgentId, JsonNode output, String error, String createdBy,
            Instant createdAt, Instant updatedAt, Instant notBefore, long seq) {
    /** How a task is stored: the one codec of the layout's {@code tasks/record} subspace. */
    static final ValueCodec<Task> CODEC = Keyspace.record(Keyspace.Part.TASK, Task.class);

    /** Who holds a task: the agent, the epoch of its registration at claim time, and until when. */
    record Claim(String agentId, long epoch, Instant claimedAt, Instant expiresAt) {
        Claim until(Instant newExpiry) {
            return new Claim(agentId, epoch, claimedAt, newExpiry);
        }
    }

    boolean heldBy(String agentId, long epoch) {
        return state.claimed() && claim != null && claim.agentId().equals(agentId) && claim.epoch() == epoch;
    }

    Task claimedBy(Claim newClaim, Instant now) {
        return new Task(id, tenantId, skill, input, priority, TaskState.WORKING, attempts, maxAttempts, newClaim,
                null, null, null, createdBy, createdAt, now, null, seq + 1);
    }

    /** The claim extended; a new history entry only when the state changes too. */
    Task extended(Claim newClaim, TaskState newState, Instant now) {
        return new Task(id, tenantId, skill, input, priority, newState, attempts, maxAttempts, newClaim,
                targetAgentId, output, error, createdBy, createdAt, now, notBefore,
                newState == state ? seq : seq + 1);
    }

    /** A delayed retry whose time has come: the same waiting task, now offered to claimers. */
    Task ready() {
        return new Task(id, tenantId, skill, input, priority, state, attempts, maxAttempts, claim, targetAgentId,
                output, error, createdBy, createdAt, updatedAt, null, seq);
    }

    /** Back to waiting, for {@code newSkill} or the agent {@code target}, offered again at {@code readyAt}. */
    Task waiting(String newSkill, String target, int newAttempts, String newError, Instant readyAt, Instant now) {
        return new Task(id, tenantId, newSkill, input, priority, TaskState.SUBMITTED, newAttempts, maxAttempts,
                null, target, null, newError, createdBy, createdAt, now, readyAt, seq + 1);
    }

    Task finished(TaskState end, JsonNode newOutput, String newError, int newAttempts, Instant now) {
        return new Task(id, tenantId, skill, input, priority, end, newAttempts, maxAttempts, null, targetAgentId,
                newOutput, newError, createdBy, createdAt, now, null, seq + 1);
    }
}
