package ai.coditect.functions.cleanup;

import ai.coditect.functions.Platform;
import ai.coditect.functions.events.EventConsumer;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;

/** Cloud Function on {@code cleanup-ticks}: expired sessions, idle workspaces, expired idempotency records. */
public final class CleanupFunction implements CloudEventsFunction {
    private final EventConsumer consumer;

    public CleanupFunction() {
        this.consumer = Platform.current().cleanupConsumer();
    }

    @Override
    public void accept(CloudEvent event) throws Exception {
        consumer.accept(event);
    }
}
