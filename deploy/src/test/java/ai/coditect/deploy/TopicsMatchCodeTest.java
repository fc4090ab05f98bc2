package ai.coditect.deploy;

import ai.coditect.functions.events.PubSubTopology;
import ai.coditect.shared.events.Topic;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * terraform/topics.tf and modules/pubsub against the code: every topic of {@link Topic} exists with a dead-letter
 * topic, and every consumer the code subscribes has a push subscription, named as {@link PubSubTopology} names
 * it, with a retry policy, dead-lettering after the code's number of attempts, and OIDC to its own function.
 */
class TopicsMatchCodeTest {
    /** A consumer as the code wires it: PubSubTopology.ensure(…, Topic.X, "name", …) or bus.subscribe(Topic.X, "name", …). */
    private static final Pattern CONSUMER = Pattern.compile("Topic\\.([A-Z][A-Z0-9_]*)\\s*,\\s*\"([a-z0-9-]+)\"");
    private static final Path PUBSUB = Terraform.DIR.resolve("modules/pubsub/main.tf");

    record Consumer(String topic, String name, String where) {
    }

    static List<Consumer> consumersInCode() {
        List<Consumer> out = new ArrayList<>();
        for (Path file : Repository.mainSources()) {
            Repository.find(file, CONSUMER).forEach(f -> {
                Topic topic = Topic.valueOf(f.match().group(1));
                Consumer c = new Consumer(topic.id(), f.match().group(2), f.where());
                if (out.stream().noneMatch(o -> o.topic().equals(c.topic()) && o.name().equals(c.name()))) {
                    out.add(c);
                }
            });
        }
        return out;
    }

    @Test
    void everyTopicOfTheCodeIsCreatedWithADeadLetterTopic() {
        Terraform tf = Terraform.load();
        JsonNode topics = tf.rootLocal("topics");
        Path topicsFile = tf.rootLocalFile("topics");
        List<String> problems = new ArrayList<>();
        Path topicSource = Repository.ROOT.resolve("shared/src/main/java/ai/coditect/shared/events/Topic.java");
        for (Topic topic : Topic.values()) {
            if (!topics.has(topic.id())) {
                problems.add(Repository.where(topicSource, topic.name() + "(") + ": the code publishes to "
                        + topic.id() + " but " + Repository.relative(topicsFile) + " does not create it: add \""
                        + topic.id() + "\" to local.topics");
            }
        }
        // the module makes one dead-letter topic per topic; its name must be the one the code expects
        Terraform.Resource deadLetter = resource(tf, "google_pubsub_topic", "dead_letter");
        String name = deadLetter.body().path("name").asText();
        for (Topic topic : Topic.values()) {
            String made = name.replace("${each.key}", topic.id());
            if (!made.equals(PubSubTopology.deadLetterTopicId(topic))) {
                problems.add(deadLetter.where() + ": the dead-letter topic of " + topic.id() + " is named " + made
                        + " but the code reads " + PubSubTopology.deadLetterTopicId(topic));
            }
        }
        if (!deadLetter.body().path("for_each").asText().equals("${var.topics}")) {
            problems.add(deadLetter.where() + ": every topic needs a dead-letter topic (for_each = var.topics)");
        }
        Problems.assertNone("topics", problems);
    }

    @Test
    void everyConsumerOfTheCodeHasADeadLetteringPushSubscriptionToAPubSubFunction() {
        Problems.assertNone("subscriptions", subscriptionProblems(consumersInCode()));
    }

    @Test
    void aConsumerWithoutSubscriptionIsReportedWhereTheCodeSubscribesIt() {
        List<String> problems = subscriptionProblems(List.of(new Consumer("cleanup-ticks", "audit",
                "functions/src/main/java/ai/coditect/functions/local/LocalPlatform.java:99")));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("functions/src/main/java/ai/coditect/functions/local/"
                + "LocalPlatform.java:99: "), problems.get(0));
    }

    static List<String> subscriptionProblems(List<Consumer> consumers) {
        Terraform tf = Terraform.load();
        JsonNode topics = tf.rootLocal("topics");
        Path topicsFile = tf.rootLocalFile("topics");
        Map<String, Deployments.Deployment> functions = new TreeMap<>();
        Deployments.all(tf).forEach(d -> functions.put(d.name(), d));
        List<String> problems = new ArrayList<>();
        for (Consumer c : consumers) {
            JsonNode declared = topics.path(c.topic()).path("consumers").path(c.name());
            if (declared.isMissingNode()) {
                problems.add(c.where() + ": the code consumes " + c.topic() + " as \"" + c.name() + "\" but "
                        + Repository.relative(topicsFile) + " has no such consumer: add " + c.name()
                        + " = { function = …, ack_deadline_seconds = …, ordered = … } under \"" + c.topic() + "\"");
                continue;
            }
            String expected = PubSubTopology.subscriptionId(Topic.values()[indexOf(c.topic())], c.name());
            if (!expected.equals(c.topic() + "-" + c.name())) {
                problems.add(Repository.where(PUBSUB, "\"${topic}-${name}\"") + ": subscriptions are named "
                        + "<topic>-<consumer> but the code expects " + expected);
            }
            Deployments.Deployment fn = functions.get(declared.path("function").asText());
            if (fn == null || !fn.trigger().equals("pubsub")) {
                problems.add(Repository.where(topicsFile, c.name() + " = {") + ": consumer " + c.name() + " of "
                        + c.topic() + " pushes to function \"" + declared.path("function").asText()
                        + "\", which is not a pubsub function of local.functions");
            }
        }
        Terraform.Resource sub = resource(tf, "google_pubsub_subscription", "consumer");
        JsonNode body = sub.body();
        if (!Repository.read(PUBSUB).contains("\"${topic}-${name}\"")) {
            problems.add(sub.where() + ": consumer subscriptions must be named \"${topic}-${name}\"");
        }
        if (!body.path("dead_letter_policy").path(0).path("dead_letter_topic").asText()
                .contains("google_pubsub_topic.dead_letter")) {
            problems.add(sub.where() + ": the consumer subscription needs a dead_letter_policy to its dead-letter topic");
        }
        if (!body.path("dead_letter_policy").path(0).path("max_delivery_attempts").asText()
                .equals("${var.max_delivery_attempts}")
                || tf.rootLocal("max_delivery_attempts").asInt() != PubSubTopology.MAX_DELIVERY_ATTEMPTS) {
            problems.add(Repository.where(topicsFile, "max_delivery_attempts") + ": dead-letter after "
                    + PubSubTopology.MAX_DELIVERY_ATTEMPTS + " attempts, as the code does (PubSubTopology)");
        }
        if (body.path("retry_policy").isMissingNode()) {
            problems.add(sub.where() + ": the consumer subscription needs a retry_policy");
        }
        if (body.path("push_config").path(0).path("oidc_token").isMissingNode()) {
            problems.add(sub.where() + ": push subscriptions authenticate with an oidc_token");
        }
        if (resources(tf, "google_pubsub_topic_iam_member").stream().noneMatch(r ->
                r.body().path("member").asText().contains("gcp-sa-pubsub") && r.body().path("topic").asText()
                        .contains("dead_letter"))
                || resources(tf, "google_pubsub_subscription_iam_member").stream().noneMatch(r ->
                r.body().path("member").asText().contains("gcp-sa-pubsub"))) {
            problems.add(sub.where() + ": the Pub/Sub service agent needs publisher on the dead-letter topics and "
                    + "subscriber on the subscriptions, or nothing is ever dead-lettered");
        }
        return problems;
    }

    private static int indexOf(String topicId) {
        for (Topic t : Topic.values()) {
            if (t.id().equals(topicId)) {
                return t.ordinal();
            }
        }
        throw new IllegalArgumentException(topicId);
    }

    private static Terraform.Resource resource(Terraform tf, String type, String name) {
        return tf.resources(type).stream().filter(r -> r.name().equals(name) && r.file().equals(PUBSUB)).findFirst()
                .orElseThrow(() -> new AssertionError(Repository.relative(PUBSUB) + ": no resource " + type + "."
                        + name));
    }

    private static List<Terraform.Resource> resources(Terraform tf, String type) {
        return tf.resources(type).stream().filter(r -> r.file().equals(PUBSUB)).toList();
    }
}
