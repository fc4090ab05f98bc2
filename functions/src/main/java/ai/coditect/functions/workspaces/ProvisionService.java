package ai.coditect.functions.workspaces;

import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The consumer of {@code workspace-requests}: provisions a workspace ({@code workspace.provision.requested}) or
 * stops it ({@code workspace.stop.requested}), moving its record through
 * {@code requested → provisioning → running → stopping → stopped} (or {@code failed}, with a message the user
 * can read). Each event has one effect however often it is delivered, and an interrupted provisioning is
 * completed by the next delivery. A provisioning ends once the objects are applied; {@link #refresh}, called from
 * the status polls, follows the pod to running. The time of each provisioning phase is recorded and exported.
 */
public final class ProvisionService {
    private static final Logger LOG = Logger.getLogger(ProvisionService.class.getName());

    /** A failure that another delivery may get past; thrown so that Pub/Sub redelivers. */
    public static final class RetryLater extends RuntimeException {
        public RetryLater(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Database db;
    private final WorkspaceStore store;
    private final ProcessedEvents processed;
    private final WorkspaceBackend backend;
    private final Clock clock;
    private final Histogram phases;
    private final Counter failures;

    public ProvisionService(Database db, WorkspaceStore store, ProcessedEvents processed, WorkspaceBackend backend,
                            Clock clock, PrometheusRegistry metrics) {
        this.db = db;
        this.store = store;
        this.processed = processed;
        this.backend = backend;
        this.clock = clock;
        this.phases = Histogram.builder().name("coditect_workspace_provisioning_seconds")
                .help("Time of each provisioning phase: apply (request to objects applied), schedule (to pod "
                        + "scheduled), ready (to containers ready), total").labelNames("phase")
                .classicExponentialUpperBounds(0.05, 2, 14).register(metrics);
        this.failures = Counter.builder().name("coditect_workspace_provisioning_failures_total")
                .help("Workspaces that ended in failed").register(metrics);
    }

    public WorkspaceBackend backend() {
        return backend;
    }

    public void handle(Event event) {
        EventType type = event.eventType();
        switch (type) {
            case WORKSPACE_PROVISION_REQUESTED -> provision(event);
            case WORKSPACE_STOP_REQUESTED -> stop(event);
            default -> throw new UnprocessableEventException("the provisioner does not handle " + event.type());
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    // ---- provision ----

    void provision(Event event) {
        String tid = required(event.tenantId(), event);
        String uid = required(event.userId(), event);
        Instant received = now();
        Workspace ws = Transactions.run(db, tr -> {
            if (processed.seen(tr, event.id()).join()) {
                return null;
            }
            Workspace current = store.read(tr, tid, uid).join();
            if (current == null || current.status() == WorkspaceStatus.RUNNING) {
                // no record: the account (or its workspace) was deleted; a late request must not bring it back
                processed.record(tr, event.id(), received);
                return null;
            }
            if (current.status() != WorkspaceStatus.PROVISIONING) {
                current = current.with(WorkspaceStatus.PROVISIONING, "Setting up your workspace.", received)
                        .withProvisioning(ProvisioningTimes.received(received));
                store.write(tr, current);
            }
            return current;
        });
        if (ws == null) {
            return;
        }
        WorkspaceBackend.Applied applied;
        try {
            applied = backend.apply(ws, AgentTokens.generate(tid, uid));
        } catch (WorkspaceBackendException e) {
            failed(ws, event, e);
            return;
        }
        Instant appliedAt = now();
        Workspace placed = Transactions.run(db, tr -> {
            // The event's effect is the objects applied: it is recorded with them, and readiness is followed
            // afterwards by the status polls (see refresh), never by holding this function instance.
            processed.record(tr, event.id(), appliedAt);
            Workspace current = store.read(tr, tid, uid).join();
            if (current == null || current.status() != WorkspaceStatus.PROVISIONING) {
                return null; // stopped or deleted meanwhile: that request wins
            }
            Workspace next = current.placed(applied.namespace(), applied.pod(), applied.service(), applied.url())
                    .withAgentTokenHash(AgentTokens.hash(applied.agentToken()))
                    .withProvisioning(current.provisioning().applied(appliedAt));
            store.write(tr, next);
            return next;
        });
        if (placed == null) {
            return;
        }
        observe("apply", placed.provisioning().receivedAt(), appliedAt);
        LogFields.of("tenantId", tid, "userId", uid, "backend", backend.name()).log(LOG, Level.INFO,
                "workspace objects applied");
        refresh(placed); // one look, no waiting: a pod that was quick (or already there) is running at once
    }

    private void failed(Workspace ws, Event event, WorkspaceBackendException e) {
        Instant at = now();
        failures.inc();
        Transactions.run(db, tr -> {
            Workspace current = store.read(tr, ws.tenantId(), ws.userId()).join();
            if (current != null && current.status() == WorkspaceStatus.PROVISIONING) {
                store.write(tr, current.with(WorkspaceStatus.FAILED, e.getMessage(), at));
            }
            if (!e.retryable()) {
                processed.record(tr, event.id(), at);
            }
            return null;
        });
        LogFields.of("tenantId", ws.tenantId(), "userId", ws.userId(), "retryable", e.retryable())
                .log(LOG, Level.WARNING, "provisioning failed: " + e.getMessage(), e.getCause());
        if (e.retryable()) {
            throw new RetryLater(e.getMessage(), e);
        }
    }

    /**
     * Brings a provisioning or running workspace's record up to date with its pod: scheduled, ready (running),
     * failed, or gone (stopped). Returns the record as it now is.
     */
    public Workspace refresh(Workspace ws) {
        if (ws.status() != WorkspaceStatus.PROVISIONING && ws.status() != WorkspaceStatus.RUNNING) {
            return ws;
        }
        WorkspaceBackend.PodState state;
        try {
            state = backend.podState(ws);
        } catch (WorkspaceBackendException e) {
            return ws; // nothing new is known; the record stays as it is
        }
        Instant at = now();
        Workspace updated = Transactions.run(db, tr -> {
            Workspace current = store.read(tr, ws.tenantId(), ws.userId()).join();
            if (current == null || current.status() != ws.status()) {
                return current;
            }
            Workspace next = transition(current, state, at);
            if (next != current) {
                store.write(tr, next);
                if (next.status() == WorkspaceStatus.RUNNING && current.status() != WorkspaceStatus.RUNNING) {
                    store.recordActivity(tr, next.tenantId(), next.userId(), at);
                }
            }
            return next;
        });
        if (updated != null && updated.status() == WorkspaceStatus.RUNNING && ws.status() == WorkspaceStatus.PROVISIONING) {
            ProvisioningTimes t = updated.provisioning();
            observe("schedule", t.appliedAt(), t.scheduledAt());
            observe("ready", t.scheduledAt(), t.readyAt());
            observe("total", t.receivedAt(), t.readyAt());
            LogFields.of("tenantId", ws.tenantId(), "userId", ws.userId(),
                    "totalMillis", millis(t.receivedAt(), t.readyAt())).log(LOG, Level.INFO, "workspace running");
        }
        if (updated != null && updated.status() == WorkspaceStatus.FAILED && ws.status() != WorkspaceStatus.FAILED) {
            failures.inc();
        }
        return updated == null ? ws : updated;
    }

    private static Workspace transition(Workspace current, WorkspaceBackend.PodState state, Instant at) {
        if (current.status() == WorkspaceStatus.RUNNING) {
            return switch (state.phase()) {
                case MISSING -> current.with(WorkspaceStatus.STOPPED, "The workspace's pod is gone; start it again.", at);
                case FAILED -> current.with(WorkspaceStatus.FAILED, state.message(), at);
                default -> current;
            };
        }
        return switch (state.phase()) {
            case SCHEDULED -> current.provisioning() != null && current.provisioning().scheduledAt() == null
                    ? current.withProvisioning(current.provisioning().scheduled(at)) : current;
            case READY -> current.withProvisioning((current.provisioning() != null ? current.provisioning()
                    : ProvisioningTimes.received(at)).ready(at)).with(WorkspaceStatus.RUNNING, state.message(), at);
            case FAILED -> current.with(WorkspaceStatus.FAILED, state.message(), at);
            case MISSING, PENDING -> current;
        };
    }

    // ---- stop ----

    void stop(Event event) {
        String tid = required(event.tenantId(), event);
        String uid = required(event.userId(), event);
        Instant idleSince = idleSince(event);
        Instant at = now();
        Workspace ws = Transactions.run(db, tr -> {
            if (processed.seen(tr, event.id()).join()) {
                return null;
            }
            Workspace current = store.read(tr, tid, uid).join();
            boolean stoppable = current != null && (current.status().canStop()
                    || current.status() == WorkspaceStatus.STOPPING);
            if (!stoppable) {
                processed.record(tr, event.id(), at);
                return null;
            }
            if (idleSince != null) {
                Instant last = store.lastActivity(tr, tid, uid).join();
                if (last != null && last.isAfter(idleSince)) {
                    processed.record(tr, event.id(), at); // used again since the idle check: keep it running
                    return null;
                }
            }
            if (current.status() != WorkspaceStatus.STOPPING) {
                current = current.with(WorkspaceStatus.STOPPING, idleSince != null
                        ? "Stopping the workspace after inactivity." : "Stopping the workspace.", at);
                store.write(tr, current);
            }
            return current;
        });
        if (ws == null) {
            return;
        }
        try {
            backend.stop(ws);
        } catch (WorkspaceBackendException e) {
            if (e.retryable()) {
                throw new RetryLater(e.getMessage(), e);
            }
            Transactions.run(db, tr -> {
                store.write(tr, ws.with(WorkspaceStatus.FAILED, e.getMessage(), now()));
                processed.record(tr, event.id(), now());
                return null;
            });
            return;
        }
        Transactions.run(db, tr -> {
            Workspace current = store.read(tr, tid, uid).join();
            if (current != null && current.status() == WorkspaceStatus.STOPPING) {
                // the reason stays with the stopped workspace, so the user can read why it stopped
                store.write(tr, current.with(WorkspaceStatus.STOPPED, idleSince != null
                        ? "Stopped after a time without activity; start it again when you need it."
                        : "Stopped at your request.", now()));
            }
            processed.record(tr, event.id(), now());
            return null;
        });
        LogFields.of("tenantId", tid, "userId", uid).log(LOG, Level.INFO, "workspace stopped");
    }

    private static Instant idleSince(Event event) {
        String value = event.data().path("lastActivityAt").asText(null);
        if (value == null || !"idle".equals(event.data().path("reason").asText())) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new UnprocessableEventException("event " + event.id() + " has an unreadable lastActivityAt");
        }
    }

    // ---- deletion ----

    /** Deletes a user's workspace entirely: its namespace (volume included) and its keys. */
    public void delete(String tenantId, String userId) throws WorkspaceBackendException {
        Workspace ws = Transactions.read(db, tr -> store.read(tr, tenantId, userId).join());
        if (ws == null) {
            return;
        }
        backend.delete(ws);
        Transactions.run(db, tr -> {
            store.delete(tr, tenantId, userId);
            return null;
        });
        LogFields.of("tenantId", tenantId, "userId", userId).log(LOG, Level.INFO, "workspace deleted");
    }

    private void observe(String phase, Instant from, Instant to) {
        if (from != null && to != null) {
            phases.labelValues(phase).observe(Duration.between(from, to).toNanos() / 1e9);
        }
    }

    private static Long millis(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to).toMillis();
    }

    private static String required(String value, Event event) {
        if (value == null || value.isBlank()) {
            throw new UnprocessableEventException("event " + event.id() + " names no tenant or user");
        }
        return value;
    }
}
