package ai.coditect.functions.testing;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.Platform;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.local.LocalPlatform;
import ai.coditect.functions.workspaces.AgentTokens;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.functions.workspaces.WorkspaceStatus;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.testing.TestClock;
import ai.coditect.shared.tokens.SigningKeys;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The local platform as tests run it: the real Functions Framework invoker on a free port, the embedded engine in
 * memory, a clock the test moves, and a cheap Argon2id cost so that tests are not dominated by hashing. All
 * requests go over real HTTP.
 */
public final class TestPlatform implements AutoCloseable {
    /** Argon2id at a tenth of the production memory, for speed; production's cost is tested on its own. */
    public static final PasswordHasher.Cost TEST_COST = new PasswordHasher.Cost(1024, 1, 1);

    private final LocalPlatform local;
    private final TestClock clock;
    /** The folder of the signing keys (and of the store, on disk). */
    private final Path dataDir;
    /** The folder this platform made for itself and removes on close; null when the caller owns it. */
    private final Path ownedDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestPlatform(LocalPlatform local, TestClock clock, Path ownedDir, Path dataDir) {
        this.local = local;
        this.clock = clock;
        this.ownedDir = ownedDir;
        this.dataDir = dataDir;
    }

    public static TestPlatform start() {
        return start(TestClock.atNow(), SessionPolicy.DEFAULT);
    }

    public static TestPlatform start(TestClock clock, SessionPolicy sessions) {
        return start(clock, sessions, new EventsConfig(null, null));
    }

    /** The platform with events on the Pub/Sub emulator, each Pub/Sub function fed by the Eventarc stand-in. */
    public static TestPlatform startWithPubSub(TestClock clock, PubSubEmulator emulator) {
        return start(clock, SessionPolicy.DEFAULT, new EventsConfig(
                "test-" + ai.coditect.shared.ids.Ids.newId().substring(0, 12), emulator.hostPort()));
    }

    public static TestPlatform start(TestClock clock, SessionPolicy sessions, EventsConfig events) {
        return start(clock, sessions, events, (WorkspaceBackend) null);
    }

    /** With workspaces on {@code workspaceBackend} (a Kubernetes API stand-in, say). */
    public static TestPlatform start(TestClock clock, SessionPolicy sessions, EventsConfig events,
                                     WorkspaceBackend workspaceBackend) {
        return startWith(clock, sessions, events, config -> workspaceBackend);
    }

    /** With {@code settings} added to the platform's environment (a short agent lease, a hashing bound, say). */
    public static TestPlatform startWithSettings(TestClock clock, Map<String, String> settings) {
        return startWith(clock, SessionPolicy.DEFAULT, new EventsConfig(null, null), config -> null, null, "memory:",
                settings);
    }

    /** With the workspace backend that {@code backend} makes from the platform's workspace configuration. */
    public static TestPlatform startWithBackend(TestClock clock,
                                                Function<WorkspacesConfig, WorkspaceBackend> backend) {
        return startWith(clock, SessionPolicy.DEFAULT, new EventsConfig(null, null), backend);
    }

    /** With local workspaces: real sidecar processes in front of {@code theiaUrl}, talking to this platform. */
    public static TestPlatform startWithLocalWorkspaces(TestClock clock, Path sidecarJar, URI theiaUrl) {
        return startWith(clock, SessionPolicy.DEFAULT, new EventsConfig(null, null), config ->
                new ai.coditect.functions.workspaces.LocalWorkspaces(new WorkspacesConfig(
                        "local", config.urlTemplate(), null, null, null, null, null, null, null, null,
                        null, java.util.List.of(), config.platformUrl(), Duration.ZERO, sidecarJar, theiaUrl,
                        URI.create("ws://127.0.0.1:1"), new WorkspacesConfig.Local("off", null, null, null,
                        config.platformUrl().toString()), java.util.Map.of()),
                        Path.of(System.getProperty("java.io.tmpdir"))));
    }

    /**
     * With its store on disk in {@code dataDir} (which the caller owns and removes), so that a second platform
     * started on the same folder after this one closed carries on where it stopped, as a new function instance does.
     */
    public static TestPlatform startOnDisk(TestClock clock, Path dataDir, EventsConfig events,
                                           WorkspaceBackend workspaceBackend) {
        return startWith(clock, SessionPolicy.DEFAULT, events, config -> workspaceBackend, dataDir,
                "embedded:" + dataDir.resolve("store"));
    }

    private static TestPlatform startWith(TestClock clock, SessionPolicy sessions, EventsConfig events,
                                          Function<WorkspacesConfig, WorkspaceBackend> workspaceBackend) {
        return startWith(clock, sessions, events, workspaceBackend, null, "memory:");
    }

    /** The environment the platform's functions read: the test's store, sessions and events, and nothing else. */
    private static Map<String, String> environment(SessionPolicy sessions, EventsConfig events, String storeUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("CODITECT_STORE", storeUrl);
        env.put("CODITECT_SESSION_LIFETIME", sessions.lifetime().toString());
        env.put("CODITECT_SESSION_IDLE_TIMEOUT", sessions.idleTimeout().toString());
        env.put("CODITECT_SESSIONS_PER_USER", Integer.toString(sessions.maxPerUser()));
        if (events.pubSub()) {
            env.put("CODITECT_GCP_PROJECT", events.gcpProject());
            env.put("PUBSUB_EMULATOR_HOST", events.emulatorHost());
            // A message the emulator handed to a stream of a stopped instance comes back in seconds, not minutes.
            env.put("CODITECT_EMULATOR_ACK_DEADLINE", "10s");
        }
        env.put("CODITECT_PUBLISH_TIMEOUT", events.publishTimeout().toString());
        env.put("CODITECT_OUTBOX_RELAY_INTERVAL", events.relayInterval().toString());
        env.put("CODITECT_WORKSPACE_REFRESH_INTERVAL", "0s");
        return env;
    }

    private static TestPlatform startWith(TestClock clock, SessionPolicy sessions, EventsConfig events,
                                          Function<WorkspacesConfig, WorkspaceBackend> workspaceBackend,
                                          Path givenDataDir, String storeUrl) {
        return startWith(clock, sessions, events, workspaceBackend, givenDataDir, storeUrl, Map.of());
    }

    private static TestPlatform startWith(TestClock clock, SessionPolicy sessions, EventsConfig events,
                                          Function<WorkspacesConfig, WorkspaceBackend> workspaceBackend,
                                          Path givenDataDir, String storeUrl, Map<String, String> settings) {
        Path dataDir = null;
        try {
            dataDir = givenDataDir != null ? givenDataDir : Files.createTempDirectory("coditect-test");
            int port = freePort();
            Map<String, String> env = environment(sessions, events, storeUrl);
            env.putAll(settings);
            WorkspacesConfig workspaces = WorkspacesConfig.read(new Environment(env), Defaults.local(dataDir, port));
            Path invoker = Path.of(System.getProperty("coditect.invoker.jar"));
            LocalPlatform.Options options = new LocalPlatform.Options(port, invoker, TEST_COST, Duration.ZERO,
                    workspaceBackend.apply(workspaces));
            return new TestPlatform(LocalPlatform.start(env, dataDir, clock, options), clock,
                    givenDataDir != null ? null : dataDir, dataDir);
        } catch (IOException | RuntimeException e) {
            if (givenDataDir == null && dataDir != null) {
                deleteTree(dataDir);
            }
            if (e instanceof IOException io) {
                throw new IllegalStateException(io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Removes a folder of this platform's: its signing keys (private) must not outlive the test. */
    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not remove " + dir, e);
        }
    }

    public static int freePort() {
        return ai.coditect.shared.net.FreePorts.any();
    }

    /** A workspace's id and the agent token its agents present. */
    public record AgentWorkspace(String workspaceId, String agentToken) {
    }

    /** A running workspace of {@code tenantId} with a fresh agent token, as provisioning leaves it. */
    public AgentWorkspace runningWorkspace(String tenantId) {
        String owner = Ids.newId();
        String token = AgentTokens.generate(tenantId, owner);
        Instant now = clock.instant();
        Workspace ws = new Workspace(Ids.newId(), tenantId, owner, WorkspaceStatus.RUNNING, null, null, null, null,
                null, now, now, now, null, null, AgentTokens.hash(token));
        Transactions.run(platform().database(), tr -> {
            new WorkspaceStore(platform().keyspace()).write(tr, ws);
            return null;
        });
        return new AgentWorkspace(ws.id(), token);
    }

    public TestClock clock() {
        return clock;
    }

    public Platform platform() {
        return local.platform();
    }

    /** The tokens' issuer: the platform's URL. */
    public String issuer() {
        return local.baseUrl();
    }

    /** Where events go: the in-process bus, or the Pub/Sub emulator's project. */
    public EventsConfig events() {
        return local.events();
    }

    /** The started extension of type {@code type} (the knowledge base, say). */
    public <T extends ai.coditect.functions.PlatformExtension> T extension(Class<T> type) {
        return local.extension(type).orElseThrow(() -> new AssertionError(type.getSimpleName() + " is not started"));
    }

    public InProcessEventBus bus() {
        return local.bus();
    }

    public String url(String path) {
        return local.baseUrl() + path;
    }

    /** The signing keys the platform uses, to mint tokens a test needs (and forge ones it must refuse). */
    public SigningKeys signingKeys() throws IOException {
        return SigningKeys.loadOrGenerate(dataDir.resolve("signing-keys.json"));
    }

    public Reply get(String path, String token) {
        return send(builder(path, token).GET());
    }

    public Reply post(String path, String json, String token) {
        HttpRequest.Builder b = builder(path, token);
        if (json != null) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.POST(HttpRequest.BodyPublishers.noBody());
        }
        return send(b);
    }

    public Reply delete(String path, String token) {
        return send(builder(path, token).DELETE());
    }

    public Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder builder(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** Signs up a user and returns the response body. */
    public JsonNode signup(String email, String password) {
        Reply r = post("/v1/auth/signup", Json.string(Map.of("email", email, "password", password)), null);
        if (r.status() != 201) {
            throw new AssertionError("signup failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }

    public JsonNode login(String email, String password) {
        Reply r = post("/v1/auth/login", Json.string(Map.of("email", email, "password", password)), null);
        if (r.status() != 200) {
            throw new AssertionError("login failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }

    @Override
    public void close() {
        try {
            local.close();
        } finally {
            if (ownedDir != null) {
                deleteTree(ownedDir);
            }
        }
    }

    /** An HTTP response. */
    public record Reply(HttpResponse<String> response) {
        public int status() {
            return response.statusCode();
        }

        public String body() {
            return response.body();
        }

        public JsonNode json() {
            try {
                return Json.mapper().readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + response.body(), e);
            }
        }

        /** The problem+json {@code code}, for error responses. */
        public String code() {
            return json().path("code").asText();
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }
}
