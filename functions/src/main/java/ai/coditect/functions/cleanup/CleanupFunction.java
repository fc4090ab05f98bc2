package ai.coditect.functions.cleanup;

import ai.coditect.functions.Platform;
import ai.coditect.functions.events.PubSubFunction;

/** Cloud Function on {@code cleanup-ticks}: expired sessions, idle workspaces, expired idempotency records. */
public final class CleanupFunction extends PubSubFunction {
    public CleanupFunction() {
        super(Platform.current().cleanupConsumer());
    }
}
