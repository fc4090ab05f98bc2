package ai.coditect.functions;

import ai.coditect.functions.events.EventHandler;
import ai.coditect.shared.events.Topic;
import com.google.cloud.functions.HttpFunction;

import java.util.List;
import java.util.Map;

/**
 * A part of the platform built in a module of its own, such as the knowledge base, whose ONNX runtime the other
 * functions should not carry. The local platform finds each one on its classpath ({@link java.util.ServiceLoader}),
 * starts it on the platform, routes its path prefix to its HTTP function and feeds its subscriptions.
 */
public interface PlatformExtension extends AutoCloseable {

    /** A subscription of the extension; in production its {@code function} is deployed on the topic. */
    record Subscription(Topic topic, String name, EventHandler handler, Class<?> function, int ackDeadlineSeconds) {
    }

    /** Builds the extension's services on {@code platform}, reading its own settings from {@code environment}. */
    void start(Platform platform, Map<String, String> environment);

    /** Requests whose path starts with this go to {@link #http()}, e.g. {@code /v1/knowledge/}. */
    String pathPrefix();

    HttpFunction http();

    List<Subscription> subscriptions();

    @Override
    default void close() {
    }
}
