package ai.coditect.functions.workspaces;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.testing.Eventually;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local backend with real processes: sidecars in the packaged jar's sidecar host that verify tokens against this
 * platform's JWKS and session endpoint, in front of a stand-in Theia or of a per-workspace IDE process (a small Node
 * server standing in for the built Theia application, started exactly as Theia is).
 */
class LocalWorkspacesTest {
    private static final String PASSWORD = "correct horse battery staple";
    /** A sidecar JVM and an IDE starting on a machine shared by many builds can take a while. */
    private static final Duration READY_WAIT = Duration.ofSeconds(120);
    private final TestClock clock = TestClock.atNow();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();
    private Path jar;
    private HttpServer theia;

    @TempDir
    Path dataDir;

    @BeforeEach
    void start() throws Exception {
        jar = Path.of(System.getProperty("coditect.sidecar.jar"));
        assertTrue(Files.isRegularFile(jar), "the sidecar jar is built before the functions are tested: " + jar);
        theia = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        theia.createContext("/", ex -> {
            byte[] body = "theia says hello".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        theia.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        theia.stop(0);
    }

    private URI theiaUrl() {
        return URI.create("http://127.0.0.1:" + theia.getAddress().getPort());
    }

    private WorkspacesConfig config(String platformUrl) {
        return new WorkspacesConfig("local", "http://unused/{id}", null, null, null, null, null, null, null, null,
                null, List.of(), URI.create(platformUrl), Duration.ZERO, jar, theiaUrl(), URI.create("ws://127.0.0.1:1"),
                new WorkspacesConfig.Local("off", null, null, null, platformUrl), java.util.Map.of());
    }

    private LocalWorkspaces backend(LocalIde ide, String platformUrl) {
        LocalWorkspaces backend = new LocalWorkspaces(config(platformUrl), dataDir.resolve("logs"),
                dataDir.resolve("workspaces"), ide, platformUrl);
        closing.add(backend);
        return backend;
    }

    private TestPlatform platform(LocalIde ide) {
        TestPlatform platform = TestPlatform.startWithBackend(clock, config -> backend(ide, config.platformUrl().toString()));
        closing.add(platform);
        return platform;
    }

    private static Workspace workspace(String id, String userId) {
        return Workspace.requested(id, "t-" + userId, userId, Instant.now());
    }

    private JsonNode runningWorkspace(TestPlatform platform, String token) throws InterruptedException {
        JsonNode[] ws = new JsonNode[1];
        Eventually.holds(READY_WAIT, () -> {
            ws[0] = platform.get("/v1/workspaces/me", token).json().get("workspace");
            return ws[0] != null && ws[0].get("status").asText().equals("running");
        });
        assertEquals("running", ws[0].get("status").asText(), ws[0].toString());
        return ws[0];
    }

    private HttpResponse<String> open(URI url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSignedUpUserReachesTheirIdeThroughTheirOwnLocalSidecar() throws Exception {
        TestPlatform platform = platform(LocalIde.shared(theiaUrl()));
        String token = platform.signup("local@example.com", PASSWORD).get("accessToken").asText();
        JsonNode ws = runningWorkspace(platform, token);
        URI url = URI.create(ws.get("url").asText());
        assertTrue(url.toString().startsWith("http://127.0.0.1:"), url.toString());

        HttpResponse<String> ide = open(url, token);
        assertEquals(200, ide.statusCode(), ide.body());
        assertEquals("theia says hello", ide.body());
        assertEquals(401, open(url, null).statusCode());

        assertEquals(202, platform.post("/v1/workspaces/me/stop", null, token).status());
        assertTrue(Eventually.holds(READY_WAIT, () ->
                platform.get("/v1/workspaces/me", token).json().at("/workspace/status").asText().equals("stopped")));
        assertEquals("Stopped at your request.", platform.get("/v1/workspaces/me", token).json()
                .at("/workspace/message").asText(), "why it stopped");
        assertThrows(IOException.class, () -> open(url, token));
    }

    @Test
    void everyLocalWorkspaceIsServedByTheOneSidecarHostProcess() throws Exception {
        LocalWorkspaces backend = backend(LocalIde.shared(theiaUrl()), "http://127.0.0.1:1");
        WorkspaceBackend.Applied first = backend.apply(workspace("w-one", "u-one"),
                "t.u.first-token-of-at-least-thirty-two-chars");
        WorkspaceBackend.Applied second = backend.apply(workspace("w-two", "u-two"),
                "t.u.second-token-of-at-least-thirty-two-char");
        assertNotEquals(first.url(), second.url(), "each workspace has its own port");
        assertEquals(first.pod(), second.pod(), "one process serves both");
        ProcessHandle host = ProcessHandle.of(pid(first)).orElseThrow();
        assertTrue(host.info().commandLine().orElse("").endsWith(" host"), host.info().commandLine().orElse("?"));
        for (String id : List.of("one", "two")) {
            assertTrue(Eventually.holds(READY_WAIT, () -> backend.podState(workspace("w-" + id, "u-" + id)).phase()
                    == WorkspaceBackend.PodState.Phase.READY), id);
        }
    }

    @Test
    void aSidecarHostThatDiesIsStartedAgainWithItsWorkspacesAtTheSameUrls() throws Exception {
        TestPlatform platform = platform(LocalIde.shared(theiaUrl()));
        String token = platform.signup("phoenix@example.com", PASSWORD).get("accessToken").asText();
        URI url = URI.create(runningWorkspace(platform, token).get("url").asText());
        assertEquals(200, open(url, token).statusCode());
        long firstHost = sidecarHost();
        ProcessHandle dead = ProcessHandle.of(firstHost).orElseThrow();

        dead.destroyForcibly();
        dead.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertTrue(Eventually.holds(READY_WAIT, () -> {
            try {
                return open(url, token).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }), "the workspace answers again at " + url);
        assertEquals("theia says hello", open(url, token).body());
        assertNotEquals(firstHost, sidecarHost(), "a new host serves it");
    }

    /** The one sidecar host this test's platform started. */
    private static long sidecarHost() {
        List<ProcessHandle> hosts = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").endsWith(" host")).toList();
        assertEquals(1, hosts.size(), "one sidecar host runs: " + hosts);
        return hosts.getFirst().pid();
    }

    private static long pid(WorkspaceBackend.Applied applied) {
        return Long.parseLong(applied.pod().substring("pid-".length()));
    }

    @Test
    void theMessageOfAWorkspaceWithoutCodi2SaysTheIdeWorksAndOnlyTheAgentIsMissing() throws Exception {
        TestPlatform platform = platform(LocalIde.shared(theiaUrl()));
        String token = platform.signup("nocodi@example.com", PASSWORD).get("accessToken").asText();
        String message = runningWorkspace(platform, token).get("message").asText();
        assertTrue(message.contains("CODI2 is not running"), message);
        assertFalse(message.contains("will not load"), message);
    }

    @Test
    void everyWorkspaceGetsItsOwnIdeOverItsOwnFolderAndNoOtherUserGetsIn() throws Exception {
        TestPlatform platform = platform(LocalIde.prebuilt(fakeIde()));
        String ada = platform.signup("ada@example.com", PASSWORD).get("accessToken").asText();
        String bob = platform.signup("bob@example.com", PASSWORD).get("accessToken").asText();
        JsonNode adaWs = runningWorkspace(platform, ada);
        JsonNode bobWs = runningWorkspace(platform, bob);
        Path adaFolder = dataDir.resolve("workspaces").resolve(adaWs.get("id").asText()).resolve("project");
        Files.writeString(adaFolder.resolve("ada-only.txt"), "secret plans");

        HttpResponse<String> adaIde = open(URI.create(adaWs.get("url").asText()), ada);
        HttpResponse<String> bobIde = open(URI.create(bobWs.get("url").asText()), bob);
        assertEquals(200, adaIde.statusCode(), adaIde.body());
        assertEquals("ide over " + adaFolder + ": ada-only.txt", adaIde.body());
        assertEquals("ide over " + adaFolder.getParent().getParent().resolve(bobWs.get("id").asText())
                .resolve("project") + ": ", bobIde.body());
        assertNotEquals(adaWs.get("url").asText(), bobWs.get("url").asText());
        assertEquals(403, open(URI.create(adaWs.get("url").asText()), bob).statusCode());
    }

    @Test
    void aRedeliveredRequestGetsTheTokenTheRunningSidecarHoldsNotTheNewlyProposedOne() throws Exception {
        LocalWorkspaces backend = backend(LocalIde.shared(theiaUrl()), "http://127.0.0.1:1");
        Workspace ws = workspace("w-redelivered", "u-redelivered");
        WorkspaceBackend.Applied first = backend.apply(ws, "t.u.first-token-of-at-least-thirty-two-chars");
        WorkspaceBackend.Applied again = backend.apply(ws, "t.u.second-token-of-at-least-thirty-two-char");
        assertEquals(first.agentToken(), again.agentToken());
        assertEquals(first.url(), again.url());
    }

    @Test
    void closingWaitsUntilEveryProcessHasEnded() throws Exception {
        LocalWorkspaces backend = backend(LocalIde.prebuilt(fakeIde()), "http://127.0.0.1:1");
        WorkspaceBackend.Applied applied = backend.apply(workspace("w-close", "u-close"),
                "t.u.token-of-at-least-thirty-two-characters");
        long pid = Long.parseLong(applied.pod().substring("pid-".length()));
        ProcessHandle sidecar = ProcessHandle.of(pid).orElseThrow();
        assertTrue(Eventually.holds(READY_WAIT, () ->
                backend.podState(workspace("w-close", "u-close")).phase() == WorkspaceBackend.PodState.Phase.READY));
        List<ProcessHandle> ide = sidecar.parent().orElseThrow().children()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("main.js")).orElse(false))
                .toList();
        assertFalse(ide.isEmpty(), "the workspace's IDE process runs");

        backend.close();

        assertFalse(sidecar.isAlive(), "the sidecar has ended when close returns");
        ide.forEach(p -> assertFalse(p.isAlive(), "the IDE has ended when close returns"));
    }

    @Test
    void aWorkspaceThatWasRunningComesBackAtTheSameUrlWhenThePlatformStartsAgain() throws Exception {
        LocalWorkspaces before = backend(LocalIde.prebuilt(fakeIde()), "http://127.0.0.1:1");
        Workspace ws = workspace("w-restart", "u-restart");
        Workspace stopped = workspace("w-stopped", "u-stopped");
        WorkspaceBackend.Applied applied = before.apply(ws, "t.u.token-of-at-least-thirty-two-characters");
        before.apply(stopped, "t.u.other-token-of-at-least-thirty-two-chars");
        before.stop(stopped);
        before.close();
        assertEquals(WorkspaceBackend.PodState.Phase.MISSING, before.podState(ws).phase());

        LocalWorkspaces after = backend(LocalIde.prebuilt(fakeIde()), "http://127.0.0.1:1");
        after.restore();

        assertTrue(Eventually.holds(READY_WAIT, () ->
                after.podState(ws).phase() == WorkspaceBackend.PodState.Phase.READY));
        assertEquals(WorkspaceBackend.PodState.Phase.MISSING, after.podState(stopped).phase());
        WorkspaceBackend.Applied again = after.apply(ws, "t.u.a-newer-token-of-at-least-thirty-two-c");
        assertEquals(applied.url(), again.url());
        assertEquals(applied.agentToken(), again.agentToken());
        String message = after.podState(ws).message();
        assertTrue(message == null || !message.contains("will not load"), message);
    }

    @Test
    void aPlatformThatDiedWithoutStoppingItsWorkspacesHasThemBackAtTheSameUrlAndNothingLeftOver() throws Exception {
        LocalWorkspaces died = new LocalWorkspaces(config("http://127.0.0.1:1"), dataDir.resolve("logs"),
                dataDir.resolve("workspaces"), LocalIde.prebuilt(fakeIde()), "http://127.0.0.1:1");
        closing.add(died); // cleans up only if this test fails: the "dead" platform itself ends nothing
        Workspace ws = workspace("w-died", "u-died");
        WorkspaceBackend.Applied applied = died.apply(ws, "t.u.token-of-at-least-thirty-two-characters");
        assertTrue(Eventually.holds(READY_WAIT, () ->
                died.podState(ws).phase() == WorkspaceBackend.PodState.Phase.READY));
        ProcessHandle leftSidecar = ProcessHandle.of(Long.parseLong(applied.pod().substring("pid-".length())))
                .orElseThrow();
        // the platform is gone without a word: its processes hold the workspace's ports

        LocalWorkspaces after = backend(LocalIde.prebuilt(fakeIde()), "http://127.0.0.1:1");
        after.restore();

        assertFalse(leftSidecar.isAlive(), "what the dead platform left running has been ended");
        assertTrue(Eventually.holds(READY_WAIT, () ->
                after.podState(ws).phase() == WorkspaceBackend.PodState.Phase.READY));
        assertEquals(applied.url(), after.apply(ws, "t.u.a-newer-token-of-at-least-thirty-two-c").url());
    }

    @Test
    void withTheIdeSwitchedOffAWorkspaceRunsWithoutOneAndItsMessageSaysSo() throws Exception {
        WorkspacesConfig.Local settings = WorkspacesConfig.fromEnvironment(new Environment(Map.of(
                        "CODITECT_WORKSPACE_BACKEND", "local", "CODITECT_IDE", "off",
                        "THEIA_URL", theiaUrl().toString())), "local", URI.create("http://127.0.0.1:1"), Duration.ZERO)
                .local();
        LocalIde ide = LocalIde.of(settings, line -> { });
        assertEquals(LocalIde.Mode.OFF, ide.mode(), "off wins over a set THEIA_URL");
        TestPlatform platform = platform(ide);
        String token = platform.signup("api-only@example.com", PASSWORD).get("accessToken").asText();

        JsonNode ws = runningWorkspace(platform, token);

        assertEquals("Running without the IDE (CODITECT_IDE=off): the workspace answers, but there is no IDE to "
                + "open.", ws.get("message").asText());
        assertEquals(List.of(), ideProcesses(), "no IDE was started");
        assertFalse(Files.exists(dataDir.resolve("workspaces").resolve(ws.get("id").asText()).resolve("theia")),
                "nor given a configuration folder");
    }

    @Test
    void anIdleWorkspaceStoppedByTheCleanupSaysWhyAndItsIdeHasEnded() throws Exception {
        TestPlatform platform = platform(LocalIde.prebuilt(fakeIde()));
        String token = platform.signup("idle@example.com", PASSWORD).get("accessToken").asText();
        runningWorkspace(platform, token);
        List<ProcessHandle> ide = ideProcesses();
        assertEquals(1, ide.size(), "the workspace's IDE runs: " + ide);

        clock.advance(Duration.ofHours(1)); // longer than the idle timeout, with no activity since it started
        platform.platform().events().publish(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), clock))
                .get(10, TimeUnit.SECONDS);

        String again = platform.login("idle@example.com", PASSWORD).get("accessToken").asText();
        assertTrue(Eventually.holds(READY_WAIT, () -> platform.get("/v1/workspaces/me", again).json()
                .at("/workspace/status").asText().equals("stopped")), "the idle workspace was stopped");
        assertEquals("Stopped after a time without activity; start it again when you need it.",
                platform.get("/v1/workspaces/me", again).json().at("/workspace/message").asText(), "why it stopped");
        assertFalse(ide.getFirst().isAlive(), "its IDE has ended");
    }

    @Test
    void deletingTheAccountEndsTheWorkspacesIdeAndRemovesItsFolder() throws Exception {
        TestPlatform platform = platform(LocalIde.prebuilt(fakeIde()));
        String token = platform.signup("leaving@example.com", PASSWORD).get("accessToken").asText();
        JsonNode ws = runningWorkspace(platform, token);
        Path folder = dataDir.resolve("workspaces").resolve(ws.get("id").asText());
        Files.writeString(folder.resolve("project").resolve("notes.txt"), "mine alone");
        List<ProcessHandle> ide = ideProcesses();
        assertEquals(1, ide.size(), "the workspace's IDE runs: " + ide);

        Reply deleted = platform.send(platform.builder("/v1/account", token).header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"password\":\"" + PASSWORD + "\"}")));
        assertEquals(202, deleted.status(), deleted.body());

        assertTrue(Eventually.holds(READY_WAIT, () -> !Files.exists(folder)), "the workspace's folder is removed");
        assertFalse(ide.getFirst().isAlive(), "its IDE has ended");
        assertThrows(IOException.class, () -> open(URI.create(ws.get("url").asText()), token), "nothing answers");
    }

    /** The IDE processes (stand-ins started as Theia is) that this test's platform runs. */
    private List<ProcessHandle> ideProcesses() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a))
                        .filter(a -> a.contains("lib/backend/main.js") && a.contains(dataDir.toString())).isPresent())
                .toList();
    }

    /**
     * A stand-in for the built Theia application: answers with the folder it was started on and its files, and
     * drops upgrade requests as Theia does.
     */
    private Path fakeIde() throws IOException {
        Path app = dataDir.resolve("fake-ide");
        Path main = app.resolve("lib/backend/main.js");
        if (!Files.exists(main)) {
            Files.createDirectories(main.getParent());
            Files.writeString(main, """
                    const http = require('http');
                    const fs = require('fs');
                    const folder = process.argv[2];
                    const port = Number(process.argv.find(a => a.startsWith('--port=')).slice('--port='.length));
                    const server = http.createServer((request, response) => {
                        response.end('ide over ' + folder + ': ' + fs.readdirSync(folder).sort().join(','));
                    });
                    // as Theia's WebSocket server does: any upgrade request is taken, and one it cannot serve dropped
                    server.on('upgrade', (request, socket) => socket.destroy());
                    server.listen(port, '127.0.0.1');
                    """);
        }
        return app;
    }
}
