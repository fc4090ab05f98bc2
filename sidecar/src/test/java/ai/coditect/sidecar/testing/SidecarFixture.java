package ai.coditect.sidecar.testing;

import ai.coditect.shared.ids.Ids;
import ai.coditect.sidecar.Sidecar;
import ai.coditect.sidecar.SidecarConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A sidecar in front of two echo backends ("theia", "codi2") with a fake platform, everything on free local
 * ports, and the owner's identity and tokens to talk to it. The sidecar is built as {@code Main} builds it:
 * {@link Sidecar#setup} on a fresh server builder, then the server started; with a {@link ai.coditect.shared.testing.TestClock}
 * a test moves time itself and runs the sidecar's due work with {@link Sidecar#runDueTasks()}.
 */
public final class SidecarFixture implements AutoCloseable {
    public final String owner = Ids.newId();
    public final String tenant = Ids.newId();
    public final String session = Ids.newId();
    public final FakePlatform platform;
    public EchoBackend theia;
    public final EchoBackend codi2;
    public final Sidecar sidecar;
    public final Clock clock;
    public final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private SidecarFixture(UnaryOperator<Map<String, String>> environment, Clock clock) throws Exception {
        this.clock = clock;
        platform = new FakePlatform(clock);
        theia = EchoBackend.start("theia");
        codi2 = EchoBackend.start("codi2");
        Map<String, String> env = new HashMap<>();
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.put("MANAGEMENT_PORT", "0");
        env.put("THEIA_URL", theia.httpUrl().toString());
        env.put("CODI2_URL", codi2.wsUrl().toString());
        env.put("CODITECT_OWNER_USER_ID", owner);
        env.put("CODITECT_OWNER_TENANT_ID", tenant);
        env.put("CODITECT_JWKS_URL", platform.url("/.well-known/jwks.json").toString());
        env.put("CODITECT_SESSION_URL", platform.url("/v1/auth/session").toString());
        env.put("CODITECT_ACTIVITY_URL", platform.url("/v1/workspaces/activity").toString());
        env.put("CODITECT_ISSUER", FakePlatform.ISSUER);
        env.put("CODITECT_AGENT_TOKEN", FakePlatform.AGENT_TOKEN);
        WebServerConfig.Builder server = WebServer.builder();
        sidecar = Sidecar.setup(server, SidecarConfig.fromEnvironment(environment.apply(env)), clock);
        server.build().start();
    }

    public static SidecarFixture start() throws Exception {
        return new SidecarFixture(env -> env, Clock.systemUTC());
    }

    public static SidecarFixture start(UnaryOperator<Map<String, String>> environment) throws Exception {
        return new SidecarFixture(environment, Clock.systemUTC());
    }

    /** A sidecar whose time stands still until the test moves {@code clock}. */
    public static SidecarFixture start(UnaryOperator<Map<String, String>> environment, Clock clock) throws Exception {
        return new SidecarFixture(environment, clock);
    }

    /** The name of this workspace's cookie. */
    public String cookieName() {
        return "coditect_token_" + owner;
    }

    /** A valid token of the owner's session. */
    public String token() {
        return platform.token(owner, tenant, session, clock.instant().plus(Duration.ofHours(1)));
    }

    public URI url(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + sidecar.port() + pathAndQuery);
    }

    public URI wsUrl(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + sidecar.port() + pathAndQuery);
    }

    public URI managementUrl(String path) {
        return URI.create("http://127.0.0.1:" + sidecar.managementPort() + path);
    }

    public HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a WebSocket through the sidecar with the owner's token in the Authorization header. */
    public WebSocket connect(String path, WebSocket.Listener listener) throws Exception {
        return connect(path, token(), listener);
    }

    public WebSocket connect(String path, String token, WebSocket.Listener listener) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        CompletableFuture<WebSocket> f = b.buildAsync(wsUrl(path), listener);
        return f.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        sidecar.close();
        theia.close();
        codi2.close();
        platform.close();
    }
}
