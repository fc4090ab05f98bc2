package ai.coditect.functions.workspaces;

import ai.coditect.functions.Platform;
import ai.coditect.functions.events.EventConsumer;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;

/** Cloud Function on {@code workspace-requests}: provisions and stops workspaces on Kubernetes. */
public final class ProvisionFunction implements CloudEventsFunction {
    private final EventConsumer consumer;

    public ProvisionFunction() {
        this.consumer = Platform.current().provisionConsumer();
    }

    @Override
    public void accept(CloudEvent event) throws Exception {
        consumer.accept(event);
    }
}
