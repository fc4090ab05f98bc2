package ai.coditect.knowledge;

import ai.coditect.functions.events.PubSubFunction;

/** Cloud Function on {@code knowledge-index}: chunks, embeds and stores submitted documents; removes deleted ones. */
public final class KnowledgeIndexFunction extends PubSubFunction {
    public KnowledgeIndexFunction() {
        super(Knowledge.current().indexConsumer());
    }
}
