package ai.coditect.functions.workspaces;

import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The workspace keys of one user, written together inside the caller's transaction: the record, the
 * {@code running_workspaces} entry (present exactly while the record says running) and the activity time.
 */
public final class WorkspaceStore {
    private final Keyspace keys;

    public WorkspaceStore(Keyspace keys) {
        this.keys = keys;
    }

    public CompletableFuture<Workspace> read(ReadTransaction tr, String tenantId, String userId) {
        return tr.get(keys.workspace(tenantId, userId))
                .thenApply(bytes -> bytes == null ? null : Workspace.CODEC.decode(bytes));
    }

    /** The record of a new user's workspace, requested at signup. */
    public void createRequested(Transaction tr, String workspaceId, String tenantId, String userId, Instant now) {
        write(tr, Workspace.requested(workspaceId, tenantId, userId, now));
    }

    /** Writes {@code ws}, keeping {@code running_workspaces} in step with its status. */
    public void write(Transaction tr, Workspace ws) {
        tr.set(keys.workspace(ws.tenantId(), ws.userId()), Workspace.CODEC.encode(ws));
        if (ws.status() == WorkspaceStatus.RUNNING) {
            tr.set(keys.runningWorkspace(ws.tenantId(), ws.userId()), Keyspace.marker());
        } else {
            tr.clear(keys.runningWorkspace(ws.tenantId(), ws.userId()));
        }
    }

    /** Records activity with atomic MAX: no read, no conflict, and the latest time wins whatever the order. */
    public void recordActivity(Transaction tr, String tenantId, String userId, Instant at) {
        tr.mutate(MutationType.MAX, keys.workspaceActivity(tenantId, userId),
                Keyspace.MILLIS.encode(at.toEpochMilli()));
    }

    public CompletableFuture<Instant> lastActivity(ReadTransaction tr, String tenantId, String userId) {
        return tr.snapshot().get(keys.workspaceActivity(tenantId, userId))
                .thenApply(v -> v == null ? null : Instant.ofEpochMilli(Keyspace.MILLIS.decode(v)));
    }

    /** Removes every key of the workspace (account deletion). */
    public void delete(Transaction tr, String tenantId, String userId) {
        tr.clear(keys.workspace(tenantId, userId));
        tr.clear(keys.runningWorkspace(tenantId, userId));
        tr.clear(keys.workspaceActivity(tenantId, userId));
    }
}
