package ai.coditect.functions.agents;

import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys of one task, kept consistent inside the caller's transaction: the record and its history, its place
 * in a queue or inbox (with the pointer back to it), the claim indexes and the retry delay. Enqueueing uses
 * versionstamped keys and an atomic signal, so producers never conflict with each other.
 */
final class TaskStore {
    private static final byte[] ONE = Keyspace.COUNTER.encode(1L);

    private final Keyspace keys;

    TaskStore(Keyspace keys) {
        this.keys = keys;
    }

    Task read(ReadTransaction tr, String tenantId, String taskId) {
        byte[] bytes = tr.get(keys.task(tenantId, taskId)).join();
        return bytes == null ? null : Task.CODEC.decode(bytes);
    }

    /** Writes the record and the history entry of its current {@code seq}. */
    void write(Transaction tr, Task task, String agentId, Long epoch, String note) {
        tr.set(keys.task(task.tenantId(), task.id()), Task.CODEC.encode(task));
        HistoryEntry entry = new HistoryEntry(task.seq(), task.updatedAt(), task.state(), agentId, epoch, note);
        tr.set(keys.taskHistory(task.tenantId(), task.id(), task.seq()), HistoryEntry.CODEC.encode(entry));
    }

    /** Writes the record alone, for changes that are not state changes (a heartbeat, a retry coming due). */
    void update(Transaction tr, Task task) {
        tr.set(keys.task(task.tenantId(), task.id()), Task.CODEC.encode(task));
    }

    List<HistoryEntry> history(ReadTransaction tr, String tenantId, String taskId) {
        List<HistoryEntry> out = new ArrayList<>();
        for (KeyValue kv : tr.getRange(keys.taskHistory(tenantId, taskId)).asList().join()) {
            out.add(HistoryEntry.CODEC.decode(kv.getValue()));
        }
        return out;
    }

    /**
     * Puts a waiting task where claimers look: the inbox of its target agent, else its skill's queue, and wakes
     * whoever watches there. {@code userVersion} tells apart several enqueues in one transaction.
     */
    void enqueue(Transaction tr, Task task, int userVersion) {
        String tid = task.tenantId();
        Keyspace.VersionstampedKey entry;
        byte[] signal;
        if (task.targetAgentId() != null) {
            entry = keys.taskInboxEntry(tid, task.targetAgentId(), userVersion);
            signal = keys.agentSignal(tid, task.targetAgentId());
        } else {
            entry = keys.taskQueueEntry(tid, task.skill(), rank(task.priority()), userVersion);
            signal = keys.skillSignal(tid, task.skill());
        }
        tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, entry.param(), Keyspace.TASK_ID.encode(task.id()));
        tr.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, keys.taskQueued(tid, task.id()), entry.param());
        tr.mutate(MutationType.ADD, signal, ONE);
    }

    /** Takes a waiting task out of its queue or inbox, if it is in one. */
    void dequeue(Transaction tr, Task task) {
        byte[] pointer = keys.taskQueued(task.tenantId(), task.id());
        byte[] entry = tr.get(pointer).join();
        if (entry != null) {
            tr.clear(entry);
            tr.clear(pointer);
        }
    }

    /** Removes the queue entry {@code entry} that a claimer took, with its pointer. */
    void taken(Transaction tr, Task task, byte[] entry) {
        tr.clear(entry);
        tr.clear(keys.taskQueued(task.tenantId(), task.id()));
    }

    void holdClaim(Transaction tr, Task task) {
        Task.Claim c = task.claim();
        tr.set(keys.taskOfAgent(task.tenantId(), c.agentId(), task.id()), Keyspace.marker());
        tr.set(keys.taskClaimExpiry(task.tenantId(), c.expiresAt().toEpochMilli(), task.id()), Keyspace.marker());
    }

    void dropClaim(Transaction tr, Task task) {
        Task.Claim c = task.claim();
        if (c == null) {
            return;
        }
        tr.clear(keys.taskOfAgent(task.tenantId(), c.agentId(), task.id()));
        tr.clear(keys.taskClaimExpiry(task.tenantId(), c.expiresAt().toEpochMilli(), task.id()));
    }

    void delay(Transaction tr, Task task) {
        tr.set(keys.taskDelayed(task.tenantId(), task.notBefore().toEpochMilli(), task.id()), Keyspace.marker());
    }

    void undelay(Transaction tr, Task task) {
        if (task.notBefore() != null) {
            tr.clear(keys.taskDelayed(task.tenantId(), task.notBefore().toEpochMilli(), task.id()));
        }
    }

    /** Queue rank of a priority: 0 for the highest (9), so that the queue's key order is the claim order. */
    static int rank(int priority) {
        return 9 - priority;
    }
}
