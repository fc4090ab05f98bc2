package ai.coditect.knowledge;

import ai.coditect.functions.events.EventConsumer;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;

/** Cloud Function on {@code knowledge-index}: chunks, embeds and stores submitted documents; removes deleted ones. */
public final class KnowledgeIndexFunction implements CloudEventsFunction {
    private final EventConsumer consumer;

    public KnowledgeIndexFunction() {
        this.consumer = Knowledge.current().indexConsumer();
    }

    @Override
    public void accept(CloudEvent event) throws Exception {
        consumer.accept(event);
    }
}
