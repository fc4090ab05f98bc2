package ai.coditect.functions;

import ai.coditect.functions.events.PubSubFunction;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Topic;
import com.google.cloud.functions.HttpFunction;

import java.util.List;

/**
 * A part of the platform built in a module of its own, such as the knowledge base, whose ONNX runtime the other
 * functions should not carry. The local platform finds each one on its classpath ({@link java.util.ServiceLoader}),
 * starts it on the platform, routes its path prefix to its HTTP function and feeds its subscriptions.
 */
public interface PlatformExtension extends AutoCloseable {

    /** A subscription of the extension; in production {@code function}'s class is deployed on the topic. */
    record Subscription(Topic topic, String name, PubSubFunction function, int ackDeadlineSeconds) {
    }

    /**
     * Builds the extension's functions on {@code platform}'s store, events and session check, reading its own
     * settings from {@code environment} with the local platform's {@code defaults}.
     */
    void start(Platform platform, Environment environment, Defaults defaults);

    /** Requests whose path starts with this go to {@link #http()}, e.g. {@code /v1/knowledge/}. */
    String pathPrefix();

    HttpFunction http();

    List<Subscription> subscriptions();

    @Override
    default void close() {
    }
}
