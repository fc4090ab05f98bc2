package ai.coditect.functions.workspaces;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.ValueCodec;

import java.time.Instant;

/**
 * A user's workspace, stored at {@code tenant/<tid>/workspace/(userId)}: its status, where it runs, when things
 * happened, and the hash of its agent token (the token itself lives only in the pod's Secret).
 */
public record Workspace(String id, String tenantId, String userId, WorkspaceStatus status, String namespace,
                        String pod, String service, String url, String message, Instant createdAt, Instant updatedAt,
                        Instant runningSince, Instant stoppedAt, ProvisioningTimes provisioning,
                        String agentTokenHash) {
    /** How a workspace is stored: the one codec of the layout's {@code workspace} subspace. */
    static final ValueCodec<Workspace> CODEC = Keyspace.record(Keyspace.Part.WORKSPACE, Workspace.class);

    static Workspace requested(String id, String tenantId, String userId, Instant now) {
        return new Workspace(id, tenantId, userId, WorkspaceStatus.REQUESTED, null, null, null, null, null, now, now,
                null, null, null, null);
    }

    Workspace with(WorkspaceStatus newStatus, String newMessage, Instant now) {
        return new Workspace(id, tenantId, userId, newStatus, namespace, pod, service, url, newMessage, createdAt, now,
                newStatus == WorkspaceStatus.RUNNING ? (runningSince != null && status == WorkspaceStatus.RUNNING
                        ? runningSince : now) : null,
                newStatus == WorkspaceStatus.STOPPED ? now : stoppedAt, provisioning, agentTokenHash);
    }

    Workspace placed(String newNamespace, String newPod, String newService, String newUrl) {
        return new Workspace(id, tenantId, userId, status, newNamespace, newPod, newService, newUrl, message, createdAt,
                updatedAt, runningSince, stoppedAt, provisioning, agentTokenHash);
    }

    Workspace withProvisioning(ProvisioningTimes times) {
        return new Workspace(id, tenantId, userId, status, namespace, pod, service, url, message, createdAt, updatedAt,
                runningSince, stoppedAt, times, agentTokenHash);
    }

    Workspace withAgentTokenHash(String hash) {
        return new Workspace(id, tenantId, userId, status, namespace, pod, service, url, message, createdAt, updatedAt,
                runningSince, stoppedAt, provisioning, hash);
    }
}
