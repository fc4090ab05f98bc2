package ai.coditect.functions.agents;

import ai.coditect.functions.events.PubSubConnection;
import ai.coditect.functions.testing.PubSubEmulator;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.events.Topic;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.pubsub.v1.Subscription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With events on Pub/Sub (the emulator), the registry's events reach the agent-events topic. */
class AgentEventsOnPubSubTest {
    @Test
    void registrationsAndCompletionsArePublishedToAgentEvents() throws Exception {
        try (PubSubEmulator emulator = PubSubEmulator.start();
             TestPlatform platform = TestPlatform.startWithPubSub(TestClock.atNow(), emulator)) {
            PubSubConnection pubsub = PubSubConnection.open(platform.events().gcpProject(),
                    emulator.hostPort());
            try (pubsub; SubscriptionAdminClient subs = pubsub.subscriptionAdmin()) {
                subs.createSubscription(Subscription.newBuilder()
                        .setName(pubsub.subscription("agent-events-test").toString())
                        .setTopic(pubsub.topic(Topic.AGENT_EVENTS).toString()).setAckDeadlineSeconds(10).build());
                Set<String> types = ConcurrentHashMap.newKeySet();
                Subscriber subscriber = pubsub.subscriber("agent-events-test", (message, reply) -> {
                    types.add(message.getAttributesOrDefault("type", ""));
                    reply.ack();
                }).build();
                subscriber.startAsync().awaitRunning();
                try {
                    String token = workspaceToken(platform);
                    TestPlatform.Reply reg = platform.post("/v1/agents", Json.string(Map.of("card", AgentCard.of(
                            "coder", "http://127.0.0.1:7070/a2a", List.of(new AgentCard.Skill("code", "Code", null,
                                    List.of()))))), token);
                    assertEquals(201, reg.status(), reg.body());
                    String agentId = reg.json().get("agentId").asText();
                    String taskId = platform.post("/v1/tasks", "{\"skill\":\"code\"}", token).json().at("/task/id")
                            .asText();
                    platform.post("/v1/tasks:claim", Json.string(Map.of("agentId", agentId, "epoch", 1,
                            "skills", List.of("code"))), token);
                    assertEquals(200, platform.post("/v1/tasks/" + taskId + ":complete", Json.string(Map.of(
                            "agentId", agentId, "epoch", 1)), token).status());
                    assertTrue(Eventually.holds(Duration.ofSeconds(30), () -> types.containsAll(
                            Set.of("agent.registered", "task.submitted", "task.completed"))), types.toString());
                } finally {
                    subscriber.stopAsync().awaitTerminated();
                }
            }
        }
    }

    private static String workspaceToken(TestPlatform platform) {
        return platform.runningWorkspace(Ids.newId()).agentToken();
    }
}
