package ai.coditect.functions.testing;

import ai.coditect.functions.FunctionsConfig;
import ai.coditect.functions.Platform;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.auth.SessionPolicy;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.functions.local.LocalPlatform;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.testing.TestClock;
import ai.coditect.shared.tokens.SigningKeys;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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
        return start(clock, sessions, new FunctionsConfig.EventsConfig(null, null));
    }

    /** The platform with events on the Pub/Sub emulator, each Pub/Sub function fed by the Eventarc stand-in. */
    public static TestPlatform startWithPubSub(TestClock clock, PubSubEmulator emulator) {
        return start(clock, SessionPolicy.DEFAULT, new FunctionsConfig.EventsConfig(
                "test-" + ai.coditect.shared.ids.Ids.newId().substring(0, 12), emulator.hostPort()));
    }

    public static TestPlatform start(TestClock clock, SessionPolicy sessions, FunctionsConfig.EventsConfig events) {
        return start(clock, sessions, events, (ai.coditect.functions.workspaces.WorkspaceBackend) null);
    }

    /** With workspaces on {@code workspaceBackend} (a Kubernetes API stand-in, say). */
    public static TestPlatform start(TestClock clock, SessionPolicy sessions, FunctionsConfig.EventsConfig events,
                                     ai.coditect.functions.workspaces.WorkspaceBackend workspaceBackend) {
        return startWith(clock, sessions, events, config -> workspaceBackend);
    }

    /** With the workspace backend that {@code backend} makes from the platform's configuration. */
    public static TestPlatform startWithBackend(TestClock clock, java.util.function.Function<FunctionsConfig,
            ai.coditect.functions.workspaces.WorkspaceBackend> backend) {
        return startWith(clock, SessionPolicy.DEFAULT, new FunctionsConfig.EventsConfig(null, null), backend);
    }

    /** With local workspaces: real sidecar processes in front of {@code theiaUrl}, talking to this platform. */
    public static TestPlatform startWithLocalWorkspaces(TestClock clock, Path sidecarJar, URI theiaUrl) {
        return startWith(clock, SessionPolicy.DEFAULT, new FunctionsConfig.EventsConfig(null, null), config ->
                new ai.coditect.functions.workspaces.LocalWorkspaces(new ai.coditect.functions.workspaces.WorkspacesConfig(
                        "local", config.workspaces().urlTemplate(), null, null, null, null, null, null, null, null,
                        null, java.util.List.of(), URI.create(config.issuer()), Duration.ZERO, sidecarJar, theiaUrl,
                        URI.create("ws://127.0.0.1:1")), Path.of(System.getProperty("java.io.tmpdir"))));
    }

    /**
     * With its store on disk in {@code dataDir} (which the caller owns and removes), so that a second platform
     * started on the same folder after this one closed carries on where it stopped, as a new function instance does.
     */
    public static TestPlatform startOnDisk(TestClock clock, Path dataDir, FunctionsConfig.EventsConfig events,
                                           ai.coditect.functions.workspaces.WorkspaceBackend workspaceBackend) {
        return startWith(clock, SessionPolicy.DEFAULT, events, config -> workspaceBackend, dataDir,
                "embedded:" + dataDir.resolve("store"));
    }

    private static TestPlatform startWith(TestClock clock, SessionPolicy sessions, FunctionsConfig.EventsConfig events,
                                          java.util.function.Function<FunctionsConfig,
                                              ai.coditect.functions.workspaces.WorkspaceBackend> workspaceBackend) {
        return startWith(clock, sessions, events, workspaceBackend, null, "memory:");
    }

    private static TestPlatform startWith(TestClock clock, SessionPolicy sessions, FunctionsConfig.EventsConfig events,
                                          java.util.function.Function<FunctionsConfig,
                                              ai.coditect.functions.workspaces.WorkspaceBackend> workspaceBackend,
                                          Path givenDataDir, String storeUrl) {
        Path dataDir = null;
        try {
            dataDir = givenDataDir != null ? givenDataDir : Files.createTempDirectory("coditect-test");
            int port = freePort();
            FunctionsConfig config = FunctionsConfig.local(Map.of(), dataDir, port).withStoreUrl(storeUrl)
                    .withSessions(sessions).withEvents(events);
            config = config.withWorkspaces(config.workspaces().withRefreshInterval(Duration.ZERO));
            Path invoker = Path.of(System.getProperty("coditect.invoker.jar"));
            LocalPlatform.Options options = new LocalPlatform.Options(port, invoker, TEST_COST, Duration.ZERO,
                    workspaceBackend.apply(config));
            return new TestPlatform(LocalPlatform.start(config, clock, options), clock,
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

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public TestClock clock() {
        return clock;
    }

    public Platform platform() {
        return local.platform();
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
