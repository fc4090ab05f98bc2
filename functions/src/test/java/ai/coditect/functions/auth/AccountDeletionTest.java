package ai.coditect.functions.auth;

import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.testing.KubernetesApiStandIn;
import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DELETE /v1/account over HTTP: the password is checked again, the account's sessions end at once, and the
 * deletion event removes the workspace on the Kubernetes API stand-in and every key of the tenant.
 */
class AccountDeletionTest {
    private static final String PASSWORD = "correct horse battery staple";
    private final TestClock clock = TestClock.atNow();
    private KubernetesApiStandIn cluster;
    private TestPlatform platform;

    @BeforeEach
    void start() throws Exception {
        cluster = new KubernetesApiStandIn();
        WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(Map.of()), "kubernetes",
                URI.create("https://platform.test"), Duration.ZERO);
        platform = TestPlatform.start(clock, SessionPolicy.DEFAULT, new EventsConfig(null, null),
                new KubernetesWorkspaces(cluster.apiClient(), config));
    }

    @AfterEach
    void stop() {
        platform.close();
        cluster.close();
    }

    private Reply deleteAccount(String token, String body) {
        HttpRequest.Builder b = platform.builder("/v1/account", token);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return platform.send(b.method("DELETE", body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
    }

    private boolean namespaceExists(String userId) {
        return cluster.inspect().namespaces().withName("ws-" + userId).get() != null;
    }

    /** Nothing of a deleted account is left: no key under its tenant, its email free, no workspace entries. */
    private void assertNothingLeft(String tenantId, String userId, String email) {
        Keyspace keys = platform.platform().keyspace();
        platform.platform().database().read(tr -> {
            assertEquals(List.of(), tr.getRange(keys.tenantRange(tenantId)).asList().join(),
                    "nothing is left under the tenant");
            assertNull(tr.get(keys.userByEmail(email)).join());
            assertNull(tr.get(keys.workspaceActivity(tenantId, userId)).join());
            assertNull(tr.get(keys.runningWorkspace(tenantId, userId)).join());
            return null;
        });
    }

    @Test
    void deletingTheAccountRemovesEverythingOfTheTenantAndFreesTheEmail() throws Exception {
        JsonNode in = platform.signup("leaving@example.com", PASSWORD);
        String token = in.get("accessToken").asText();
        String other = platform.login("leaving@example.com", PASSWORD).get("accessToken").asText();
        String tenantId = in.at("/user/tenantId").asText();
        String userId = in.at("/user/id").asText();
        Eventually.holds(Duration.ofSeconds(30), () -> namespaceExists(userId), "the workspace was provisioned");
        Keyspace keys = platform.platform().keyspace();

        Reply wrong = deleteAccount(token, "{\"password\":\"not my password\"}");
        assertEquals(401, wrong.status(), wrong.body());
        assertEquals("invalid_credentials", wrong.code());
        assertEquals(200, platform.get("/v1/auth/session", token).status(), "a wrong password deletes nothing");

        Reply deleted = deleteAccount(token, "{\"password\":\"" + PASSWORD + "\"}");
        assertEquals(202, deleted.status(), deleted.body());
        assertEquals(401, platform.get("/v1/auth/session", token).status(), "this session ended");
        assertEquals(401, platform.get("/v1/auth/session", other).status(), "and every other one");

        Event deletion = Event.withId("account-deletion-" + userId, EventType.ACCOUNT_DELETION_REQUESTED, tenantId,
                userId, Map.of(), clock);
        Eventually.holds(Duration.ofSeconds(30), () -> platform.platform().database().read(tr ->
                tr.get(keys.processedEvent(deletion.id())).join()) != null, "the deletion event was handled");
        assertTrue(!namespaceExists(userId), "the workspace's namespace (and with it its volume) is gone");
        assertNothingLeft(tenantId, userId, "leaving@example.com");

        // Delivered again, the event changes nothing and fails nothing.
        platform.platform().provision().consumer().handler().handle(deletion, 2);

        JsonNode again = platform.signup("leaving@example.com", PASSWORD);
        assertNotEquals(userId, again.at("/user/id").asText(), "the email signs up again, as a new user");
    }

    @Test
    void aDeletionTheClusterFailedIsFinishedByTheEventsRedelivery() throws Exception {
        JsonNode in = platform.signup("unlucky@example.com", PASSWORD);
        String token = in.get("accessToken").asText();
        String tenantId = in.at("/user/tenantId").asText();
        String userId = in.at("/user/id").asText();
        Eventually.holds(Duration.ofSeconds(30), () -> namespaceExists(userId), "the workspace was provisioned");
        Keyspace keys = platform.platform().keyspace();
        cluster.failNext("DELETE", "/api/v1/namespaces/ws-" + userId, 500, "etcd is having a moment", 1);

        Reply deleted = deleteAccount(token, "{\"password\":\"" + PASSWORD + "\"}");
        assertEquals(202, deleted.status(), deleted.body());

        String deletionId = "account-deletion-" + userId;
        Eventually.holds(Duration.ofSeconds(60), () -> platform.platform().database().read(tr ->
                tr.get(keys.processedEvent(deletionId)).join()) != null, "the deletion event was handled");
        assertEquals(1, cluster.faultsServed(), "the first delivery met the failing cluster");
        assertEquals(List.of(), platform.bus().deadLetters(), "the redelivery finished it");
        assertTrue(!namespaceExists(userId), "the namespace is gone");
        assertNothingLeft(tenantId, userId, "unlucky@example.com");
        platform.signup("unlucky@example.com", PASSWORD);
    }

    @Test
    void badDeletionRequestsAreRefusedAndDeleteNothing() {
        JsonNode in = platform.signup("staying@example.com", PASSWORD);
        String token = in.get("accessToken").asText();
        assertEquals(401, deleteAccount(null, "{\"password\":\"" + PASSWORD + "\"}").status(), "no token");
        assertEquals(401, deleteAccount("not.a.token", "{\"password\":\"" + PASSWORD + "\"}").status());
        assertEquals(415, deleteAccount(token, null).status(), "no body");
        assertEquals(400, deleteAccount(token, "{}").status(), "no password");
        assertEquals(400, deleteAccount(token, "{\"password\":12345}").status(), "a number");
        assertEquals(400, deleteAccount(token, "{\"password\":null}").status());
        assertEquals(400, deleteAccount(token, "[\"" + PASSWORD + "\"]").status(), "not an object");
        assertEquals(400, deleteAccount(token, "{\"password\":").status(), "cut short");
        assertEquals(413, deleteAccount(token, "{\"password\":\"" + "x".repeat(70_000) + "\"}").status());
        assertEquals(405, platform.post("/v1/account", "{\"password\":\"" + PASSWORD + "\"}", token).status());
        assertEquals(200, platform.get("/v1/auth/session", token).status(), "the account is still there");
    }
}
