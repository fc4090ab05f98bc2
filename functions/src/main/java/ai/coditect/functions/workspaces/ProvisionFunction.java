package ai.coditect.functions.workspaces;

import ai.coditect.functions.Platform;
import ai.coditect.functions.events.PubSubFunction;

/** Cloud Function on {@code workspace-requests}: provisions and stops workspaces on Kubernetes. */
public final class ProvisionFunction extends PubSubFunction {
    public ProvisionFunction() {
        super(Platform.current().provisionConsumer());
    }
}
