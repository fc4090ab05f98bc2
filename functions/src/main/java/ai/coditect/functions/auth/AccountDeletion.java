package ai.coditect.functions.auth;

import ai.coditect.functions.events.ProcessedEvents;
import ai.coditect.functions.workspaces.ProvisionService;
import ai.coditect.functions.workspaces.WorkspaceBackendException;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.events.UnprocessableEventException;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;

import java.time.Clock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The second half of deleting an account, the consumer of {@code account.deletion.requested}: removes the user's
 * workspace (namespace and volume, through the workspace backend), then everything under the tenant and the
 * tenant's keys elsewhere, and records the event in the same transaction. Each step is idempotent, so a delivery
 * that failed half-way is finished by the next; a cluster that cannot be reached asks for redelivery.
 */
public final class AccountDeletion {
    private static final Logger LOG = Logger.getLogger(AccountDeletion.class.getName());

    private final Database db;
    private final Keyspace keys;
    private final ProcessedEvents processed;
    private final ProvisionService workspaces;
    private final Clock clock;

    public AccountDeletion(Database db, Keyspace keys, ProcessedEvents processed, ProvisionService workspaces,
                           Clock clock) {
        this.db = db;
        this.keys = keys;
        this.processed = processed;
        this.workspaces = workspaces;
        this.clock = clock;
    }

    public void handle(Event event) {
        if (event.eventType() != EventType.ACCOUNT_DELETION_REQUESTED) {
            throw new UnprocessableEventException("account deletion reads account.deletion.requested, not "
                    + event.type());
        }
        String tenantId = event.tenantId();
        String userId = event.userId();
        if (!Ids.isWellFormed(tenantId) || !Ids.isWellFormed(userId)) {
            throw new UnprocessableEventException("event " + event.id() + " names no valid tenant and user");
        }
        if (Transactions.read(db, tr -> processed.seen(tr, event.id()).join())) {
            return;
        }
        try {
            workspaces.delete(tenantId, userId);
        } catch (WorkspaceBackendException e) {
            if (e.retryable()) {
                throw new ProvisionService.RetryLater(e.getMessage(), e);
            }
            // A refusal that no retry changes (e.g. forbidden) must not keep the user's data: it is deleted
            // anyway, and the cluster's leftover is logged for an operator.
            LogFields.of("tenantId", tenantId, "userId", userId).log(LOG, Level.SEVERE,
                    "the workspace of a deleted account could not be removed: " + e.getMessage(), e);
        }
        Transactions.run(db, tr -> {
            tr.clear(keys.tenantRange(tenantId));
            tr.clear(keys.workspaceActivity(tenantId, userId));
            tr.clear(keys.runningWorkspace(tenantId, userId));
            tr.clear(keys.agentTenant(tenantId));
            processed.record(tr, event.id(), clock.instant());
            return null;
        });
        LogFields.of("tenantId", tenantId, "userId", userId).log(LOG, Level.INFO, "account deleted");
    }
}
