package ai.coditect.functions.agents;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.ValueCodec;

import java.time.Instant;

/** One state change of a task, stored at {@code tenant/<tid>/tasks/history/(taskId, seq)}. */
record HistoryEntry(long seq, Instant at, TaskState state, String agentId, Long epoch, String note) {
    /** How a state change is stored: the one codec of the layout's {@code tasks/history} subspace. */
    static final ValueCodec<HistoryEntry> CODEC = Keyspace.record(Keyspace.Part.TASK_HISTORY, HistoryEntry.class);
}
