package ai.coditect.functions.events;

import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.testing.CountingBackend;
import ai.coditect.functions.testing.KubernetesApiStandIn;
import ai.coditect.functions.testing.PubSubEmulator;
import ai.coditect.functions.testing.TcpProxy;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.KeyValue;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events leave through the outbox, so a broker outage delays them and never loses one. */
class OutboxTest {
    @TempDir
    Path dataDir;

    @Test
    void aSignupWhilePubSubIsUnreachableIsProvisionedExactlyOnceByTheNextInstance() throws Exception {
        TestClock clock = TestClock.atNow();
        String project = "test-" + Ids.newId().substring(0, 12);
        try (PubSubEmulator emulator = PubSubEmulator.start();
             TcpProxy unreachable = TcpProxy.to(emulator.port());
             KubernetesApiStandIn cluster = new KubernetesApiStandIn()) {
            CountingBackend backend = new CountingBackend(new KubernetesWorkspaces(cluster.apiClient(),
                    WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
                            URI.create("https://platform.test"), Duration.ZERO)));
            JsonNode in;
            Event request;
            // The first instance loses Pub/Sub for good after it started, takes a signup, and goes away.
            try (TestPlatform first = TestPlatform.startOnDisk(clock, dataDir,
                    new EventsConfig(project, unreachable.hostPort(), Duration.ofSeconds(10),
                            Duration.ZERO), backend)) {
                unreachable.down();
                in = first.signup("outage@example.com", "correct horse battery staple");
                List<KeyValue> pending = first.platform().database().read(tr ->
                        tr.getRange(first.platform().keyspace().outbox()).asList().join());
                assertEquals(1, pending.size(), "the workspace request waits in the outbox");
                request = Json.read(pending.getFirst().getValue(), Event.class);
                assertEquals(in.at("/user/id").asText(), request.userId());
            }
            String userId = in.at("/user/id").asText();
            assertEquals(0, backend.applies(userId), "nothing was provisioned while Pub/Sub was away");

            // The next instance reaches Pub/Sub; its relay publishes what the first one left behind. It names a
            // project of its own: the emulator keeps counting the streaming pulls the first instance lost with the
            // proxy, and may hand a delivery of the shared subscription to one of them, where it waits for the
            // ack deadline (deployed functions are pushed to, with no stream to lose).
            try (TestPlatform next = TestPlatform.startOnDisk(clock, dataDir,
                    new EventsConfig(project + "-next", emulator.hostPort(), Duration.ofSeconds(10),
                            Duration.ofMillis(200)), backend)) {
                Keyspace keys = next.platform().keyspace();
                // Generous: the emulator and two platforms share a busy machine.
                Eventually.holds(Duration.ofSeconds(300), () -> next.platform().database().read(tr ->
                        tr.get(keys.processedEvent(request.id())).join()) != null,
                        () -> "the provisioner handled the request (outbox entries left: "
                                + next.platform().outbox().pending() + ", provisioning runs: "
                                + backend.applies(userId) + "); the emulator's log ends with:\n"
                                + emulator.logTail(4000));
                Eventually.holds(Duration.ofSeconds(30), () -> next.platform().outbox().pending() == 0,
                        "the outbox was cleared");
                assertEquals(1, backend.applies(userId), "provisioned exactly once");
                assertEquals(1, cluster.inspect().pods().inNamespace("ws-" + userId).list().getItems().size());
                // This instance has an issuer of its own (its port), so the user logs in to it.
                String token = next.login("outage@example.com", "correct horse battery staple").get("accessToken")
                        .asText();
                TestPlatform.Reply mine = next.get("/v1/workspaces/me", token);
                assertEquals("provisioning", mine.json().at("/workspace/status").asText(), mine.body());
            }
        }
    }
}
