package ai.coditect.functions.cleanup;

import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.PubSubFunction;

/**
 * The test platform's cleanup consumer behind a class the invoker can build with no arguments, as it builds
 * {@link CleanupFunction} in production (where that class wires itself from its own environment).
 */
public final class MountedCleanupFunction extends PubSubFunction {
    static volatile EventConsumer consumer;

    public MountedCleanupFunction() {
        super(consumer);
    }
}
