package ai.coditect.functions.events;

import ai.coditect.shared.events.Topic;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.protobuf.Duration;
import com.google.pubsub.v1.DeadLetterPolicy;
import com.google.pubsub.v1.PushConfig;
import com.google.pubsub.v1.RetryPolicy;
import com.google.pubsub.v1.Subscription;

import java.net.URI;

/**
 * The topics and subscriptions of the platform, as Terraform creates them in production; the local platform and
 * the tests create them on the emulator. Each consumer subscription dead-letters after 5 attempts into
 * {@code <topic>-dead-letter}, whose own subscription keeps the messages for inspection.
 */
public final class PubSubTopology {
    public static final int MAX_DELIVERY_ATTEMPTS = 5;

    private PubSubTopology() {
    }

    /** The subscription a consumer reads {@code topic} through. */
    public static String subscriptionId(Topic topic, String consumer) {
        return topic.id() + "-" + consumer;
    }

    public static String deadLetterTopicId(Topic topic) {
        return topic.id() + "-dead-letter";
    }

    public static String deadLetterSubscriptionId(Topic topic) {
        return deadLetterTopicId(topic) + "-inspect";
    }

    /** Creates {@code topic} if it is missing: a topic the platform publishes to that none of its own consumers reads. */
    public static void ensureTopic(PubSubConnection pubsub, Topic topic) {
        try (TopicAdminClient topics = pubsub.topicAdmin()) {
            createTopic(topics, pubsub, topic.id());
        }
    }

    /** Creates what is missing, with Pub/Sub's retry backoff of 10 s to 600 s as in production. */
    public static void ensure(PubSubConnection pubsub, Topic topic, String consumer, int ackDeadlineSeconds) {
        ensure(pubsub, topic, consumer, ackDeadlineSeconds, java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(600));
    }

    /** Creates what is missing: the topic, its dead-letter topic and subscription, the consumer subscription. */
    public static void ensure(PubSubConnection pubsub, Topic topic, String consumer, int ackDeadlineSeconds,
                              java.time.Duration minBackoff, java.time.Duration maxBackoff) {
        ensure(pubsub, topic, consumer, ackDeadlineSeconds, minBackoff, maxBackoff, PushConfig.getDefaultInstance());
    }

    /**
     * As {@link #ensure(PubSubConnection, Topic, String, int, java.time.Duration, java.time.Duration)}, with the
     * consumer subscription pushing to {@code endpoint} as production's do (a {@link PubSubFunction} answers it).
     */
    public static void ensurePush(PubSubConnection pubsub, Topic topic, String consumer, int ackDeadlineSeconds,
                                  java.time.Duration minBackoff, java.time.Duration maxBackoff, URI endpoint) {
        ensure(pubsub, topic, consumer, ackDeadlineSeconds, minBackoff, maxBackoff,
                PushConfig.newBuilder().setPushEndpoint(endpoint.toString()).build());
    }

    private static void ensure(PubSubConnection pubsub, Topic topic, String consumer, int ackDeadlineSeconds,
                               java.time.Duration minBackoff, java.time.Duration maxBackoff, PushConfig push) {
        try (TopicAdminClient topics = pubsub.topicAdmin(); SubscriptionAdminClient subs = pubsub.subscriptionAdmin()) {
            createTopic(topics, pubsub, topic.id());
            createTopic(topics, pubsub, deadLetterTopicId(topic));
            createSubscription(subs, Subscription.newBuilder()
                    .setName(pubsub.subscription(deadLetterSubscriptionId(topic)).toString())
                    .setTopic(pubsub.topic(deadLetterTopicId(topic)).toString())
                    .setAckDeadlineSeconds(60)
                    .build());
            createSubscription(subs, Subscription.newBuilder()
                    .setName(pubsub.subscription(subscriptionId(topic, consumer)).toString())
                    .setTopic(pubsub.topic(topic).toString())
                    .setAckDeadlineSeconds(ackDeadlineSeconds)
                    .setPushConfig(push)
                    // The emulator (0.8.20) never dead-letters on an ordered subscription, so ordering is left to
                    // production's subscriptions (Terraform); consumers do not depend on it anyway.
                    .setEnableMessageOrdering(!pubsub.isEmulator())
                    .setRetryPolicy(RetryPolicy.newBuilder()
                            .setMinimumBackoff(protobuf(minBackoff))
                            .setMaximumBackoff(protobuf(maxBackoff)))
                    .setDeadLetterPolicy(DeadLetterPolicy.newBuilder()
                            .setDeadLetterTopic(pubsub.topic(deadLetterTopicId(topic)).toString())
                            .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS))
                    .build());
        }
    }

    private static Duration protobuf(java.time.Duration d) {
        return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    private static void createTopic(TopicAdminClient topics, PubSubConnection pubsub, String id) {
        try {
            topics.createTopic(pubsub.topic(id));
        } catch (AlreadyExistsException e) {
            // already there: creating is idempotent
        }
    }

    private static void createSubscription(SubscriptionAdminClient subs, Subscription subscription) {
        try {
            subs.createSubscription(subscription);
        } catch (AlreadyExistsException e) {
            // already there: creating is idempotent
        }
    }
}
