package ai.coditect.functions.events;

import ai.coditect.shared.events.Event;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A Pub/Sub function for tests: records every event it is given. */
public final class RecordingFunction implements CloudEventsFunction {
    static final BlockingQueue<Event> RECEIVED = new LinkedBlockingQueue<>();

    @Override
    public void accept(CloudEvent cloudEvent) {
        RECEIVED.add(EventarcMessage.from(cloudEvent).event());
    }
}
