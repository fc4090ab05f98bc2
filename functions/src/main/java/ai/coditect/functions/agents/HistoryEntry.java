package ai.coditect.functions.agents;

import java.time.Instant;

/** One state change of a task, stored at {@code tenant/<tid>/tasks/history/(taskId, seq)}. */
record HistoryEntry(long seq, Instant at, TaskState state, String agentId, Long epoch, String note) {
}
