package ai.coditect.functions.events;

import ai.coditect.shared.events.Topic;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.pubsub.v1.ProjectSubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * How the platform reaches Pub/Sub: the service itself with application default credentials, or — when
 * {@code PUBSUB_EMULATOR_HOST} is set — the emulator over a plaintext channel without credentials (the Java
 * client does not read that variable by itself).
 */
public final class PubSubConnection implements AutoCloseable {
    private final String projectId;
    private final ManagedChannel emulatorChannel;
    private final TransportChannelProvider channels;
    private final CredentialsProvider credentials;

    private PubSubConnection(String projectId, ManagedChannel emulatorChannel) {
        this.projectId = projectId;
        this.emulatorChannel = emulatorChannel;
        this.channels = emulatorChannel == null ? null
                : FixedTransportChannelProvider.create(GrpcTransportChannel.create(emulatorChannel));
        this.credentials = emulatorChannel == null ? null : NoCredentialsProvider.create();
    }

    /** Pub/Sub in {@code projectId}; the emulator at {@code emulatorHost} ({@code host:port}) when given. */
    public static PubSubConnection open(String projectId, String emulatorHost) {
        if (projectId == null || projectId.isBlank()) {
            throw new IllegalArgumentException("Pub/Sub needs a project: set CODITECT_GCP_PROJECT.");
        }
        ManagedChannel channel = emulatorHost == null || emulatorHost.isBlank() ? null
                : ManagedChannelBuilder.forTarget(emulatorHost).usePlaintext().build();
        return new PubSubConnection(projectId, channel);
    }

    public String projectId() {
        return projectId;
    }

    public boolean isEmulator() {
        return emulatorChannel != null;
    }

    public TopicName topic(Topic topic) {
        return TopicName.of(projectId, topic.id());
    }

    public TopicName topic(String topicId) {
        return TopicName.of(projectId, topicId);
    }

    public ProjectSubscriptionName subscription(String subscriptionId) {
        return ProjectSubscriptionName.of(projectId, subscriptionId);
    }

    public Publisher.Builder publisher(TopicName topic) {
        Publisher.Builder b = Publisher.newBuilder(topic);
        if (channels != null) {
            b.setChannelProvider(channels).setCredentialsProvider(credentials);
        }
        return b;
    }

    public Subscriber.Builder subscriber(String subscriptionId, MessageReceiver receiver) {
        Subscriber.Builder b = Subscriber.newBuilder(subscription(subscriptionId), receiver);
        if (channels != null) {
            b.setChannelProvider(channels).setCredentialsProvider(credentials);
        }
        return b;
    }

    public TopicAdminClient topicAdmin() {
        try {
            TopicAdminSettings.Builder b = TopicAdminSettings.newBuilder();
            if (channels != null) {
                b.setTransportChannelProvider(channels).setCredentialsProvider(credentials);
            }
            return TopicAdminClient.create(b.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Pub/Sub", e);
        }
    }

    public SubscriptionAdminClient subscriptionAdmin() {
        try {
            SubscriptionAdminSettings.Builder b = SubscriptionAdminSettings.newBuilder();
            if (channels != null) {
                b.setTransportChannelProvider(channels).setCredentialsProvider(credentials);
            }
            return SubscriptionAdminClient.create(b.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Pub/Sub", e);
        }
    }

    @Override
    public void close() {
        if (emulatorChannel != null) {
            emulatorChannel.shutdown();
            try {
                if (!emulatorChannel.awaitTermination(5, TimeUnit.SECONDS)) {
                    emulatorChannel.shutdownNow();
                }
            } catch (InterruptedException e) {
                emulatorChannel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
