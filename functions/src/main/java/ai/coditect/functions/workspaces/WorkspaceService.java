package ai.coditect.functions.workspaces;

import ai.coditect.functions.events.Outbox;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What users and workspaces ask of the platform about workspaces: the caller's workspace (its record refreshed
 * from the pod while it starts), start and stop (which write the matching events to the outbox), and the
 * activity reports of sidecars, authenticated by the workspace agent token. Knows nothing of HTTP.
 */
final class WorkspaceService {
    /** Provisioning workspaces tracked at most; past that the memory of when each was looked at is dropped. */
    private static final int MAX_TRACKED = 10_000;

    private final Database db;
    private final WorkspaceStore store;
    private final ProvisionService provisioner;
    private final Outbox outbox;
    private final Clock clock;
    private final Duration refreshInterval;
    /** When this instance last asked the cluster about each provisioning workspace. */
    private final ConcurrentHashMap<String, Instant> lastLooked = new ConcurrentHashMap<>();

    public WorkspaceService(Database db, WorkspaceStore store, ProvisionService provisioner, Outbox outbox,
                            Clock clock, Duration refreshInterval) {
        this.db = db;
        this.store = store;
        this.provisioner = provisioner;
        this.outbox = outbox;
        this.clock = clock;
        this.refreshInterval = refreshInterval;
    }

    /** A workspace with its last activity, as its owner sees it. */
    public record View(Workspace workspace, Instant lastActivityAt) {
    }

    /**
     * The caller's workspace as FoundationDB has it. Only while it is provisioning is the cluster asked about its
     * pod, and for one workspace at most once per refresh interval on this instance, however often it is polled.
     */
    public View mine(String tenantId, String userId) {
        View view = Transactions.read(db, tr -> {
            var record = store.read(tr, tenantId, userId);
            var activity = store.lastActivity(tr, tenantId, userId);
            Workspace ws = record.join();
            return ws == null ? null : new View(ws, activity.join());
        });
        if (view == null) {
            throw new WorkspaceException(WorkspaceException.Reason.NO_WORKSPACE, "You have no workspace yet.");
        }
        Workspace ws = view.workspace();
        if (ws.status() != WorkspaceStatus.PROVISIONING) {
            lastLooked.remove(ws.id());
            return view;
        }
        if (!lookNow(ws.id())) {
            return view;
        }
        Workspace current = provisioner.refresh(ws);
        if (current.status() == WorkspaceStatus.PROVISIONING) {
            return new View(current, view.lastActivityAt());
        }
        lastLooked.remove(ws.id());
        return new View(current, Transactions.read(db, tr -> store.lastActivity(tr, tenantId, userId).join()));
    }

    /** True when this instance has not looked at workspace {@code id}'s pod within the refresh interval. */
    private boolean lookNow(String id) {
        Instant now = clock.instant();
        if (lastLooked.size() > MAX_TRACKED) {
            lastLooked.clear(); // workspaces left provisioning without being polled again; forget them all
        }
        boolean[] due = new boolean[1];
        lastLooked.compute(id, (k, last) -> {
            due[0] = last == null || !now.isBefore(last.plus(refreshInterval));
            return due[0] ? now : last;
        });
        return due[0];
    }

    /** Asks for the workspace to be provisioned; possible when nothing is running or on its way. */
    public Workspace start(String tenantId, String userId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Event request = Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, tenantId, userId, Map.of(), clock);
        Workspace ws = Transactions.run(db, tr -> {
            Workspace current = store.read(tr, tenantId, userId).join();
            if (current == null) {
                current = Workspace.requested(Ids.newId(), tenantId, userId, now);
            } else if (!current.status().canStart()) {
                throw new WorkspaceException(WorkspaceException.Reason.INVALID_TRANSITION,
                        "The workspace is " + current.status().wireName() + "; it cannot be started now.");
            } else {
                current = current.with(WorkspaceStatus.REQUESTED, null, now);
            }
            store.write(tr, current);
            outbox.add(tr, request);
            return current;
        });
        outbox.relay();
        return ws;
    }

    /** Asks for the workspace to be stopped; possible while it runs or starts. */
    public Workspace stop(String tenantId, String userId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Event request = Event.of(EventType.WORKSPACE_STOP_REQUESTED, tenantId, userId, Map.of("reason", "user"), clock);
        Workspace ws = Transactions.run(db, tr -> {
            Workspace current = store.read(tr, tenantId, userId).join();
            if (current == null) {
                throw new WorkspaceException(WorkspaceException.Reason.NO_WORKSPACE, "You have no workspace yet.");
            }
            if (!current.status().canStop()) {
                throw new WorkspaceException(WorkspaceException.Reason.INVALID_TRANSITION,
                        "The workspace is " + current.status().wireName() + "; it cannot be stopped now.");
            }
            Workspace next = current.with(WorkspaceStatus.STOPPING, "Stopping the workspace.", now);
            store.write(tr, next);
            outbox.add(tr, request);
            return next;
        });
        outbox.relay();
        return ws;
    }

    /**
     * Records the activity a sidecar reports. The token names its workspace and must hash to the one stored
     * there; a time in the future counts as now.
     */
    public void recordActivity(String agentToken, Instant reported) {
        AgentTokens.Claim claim = AgentTokens.claim(agentToken).orElseThrow(() -> new WorkspaceException(
                WorkspaceException.Reason.AGENT_TOKEN_INVALID, "The workspace agent token is not valid."));
        Instant now = clock.instant();
        Instant at = reported == null || reported.isAfter(now) ? now : reported;
        Transactions.run(db, tr -> {
            Workspace ws = store.read(tr, claim.tenantId(), claim.userId()).join();
            if (ws == null || !AgentTokens.matches(agentToken, ws.agentTokenHash())) {
                throw new WorkspaceException(WorkspaceException.Reason.AGENT_TOKEN_INVALID,
                        "The workspace agent token is not valid.");
            }
            store.recordActivity(tr, claim.tenantId(), claim.userId(), at);
            return null;
        });
    }
}
