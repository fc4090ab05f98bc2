package ai.coditect.sidecar.testing;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.problem.Problem;
import ai.coditect.shared.tokens.SigningKeys;
import ai.coditect.shared.tokens.TokenIssuer;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform as the sidecar sees it, over real HTTP: the JWKS, {@code GET /v1/auth/session} answering what the
 * test decides per session, and {@code POST /v1/workspaces/activity} recording what it receives.
 */
public final class FakePlatform implements AutoCloseable {
    public static final String ISSUER = "https://auth.test";
    public static final String AGENT_TOKEN = "agent-" + Ids.newId();

    private final HttpServer server;
    private final SigningKeys keys = SigningKeys.generate();
    private final TokenIssuer issuer;
    /** Session id to the problem code the session endpoint answers with; absent means active. */
    private final Map<String, String> ended = new ConcurrentHashMap<>();
    /** Session id to a 200 answer the test wrote itself (garbled, empty, about another session). */
    private final Map<String, byte[]> rawAnswers = new ConcurrentHashMap<>();
    public final AtomicInteger sessionChecks = new AtomicInteger();
    public final AtomicInteger jwksFetches = new AtomicInteger();
    /** Bodies of the activity reports the platform accepted. */
    public final List<String> activityReports = new CopyOnWriteArrayList<>();
    /** The status the platform answered to every activity report it received, accepted or not. */
    public final List<Integer> activityAttempts = new CopyOnWriteArrayList<>();
    private volatile int activityStatus = 204;

    private final Clock clock;

    public FakePlatform(Clock clock) throws IOException {
        this.clock = clock;
        this.issuer = new TokenIssuer(keys, ISSUER, "coditect", clock);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/.well-known/jwks.json", ex -> {
            jwksFetches.incrementAndGet();
            send(ex, 200, "application/json", keys.publicKeys().toString().getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/v1/auth/session", this::session);
        server.createContext("/v1/workspaces/activity", this::activity);
        server.start();
    }

    private void session(HttpExchange ex) throws IOException {
        sessionChecks.incrementAndGet();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String sid;
        String sub;
        String tid;
        try {
            var claims = SignedJWT.parse(auth.substring("Bearer ".length())).getJWTClaimsSet();
            sid = claims.getStringClaim("sid");
            sub = claims.getSubject();
            tid = claims.getStringClaim("tid");
        } catch (Exception e) {
            problem(ex, "token_invalid");
            return;
        }
        String code = ended.get(sid);
        if (code != null) {
            problem(ex, code);
            return;
        }
        byte[] raw = rawAnswers.get(sid);
        if (raw != null) {
            send(ex, 200, "application/json", raw);
            return;
        }
        // what the functions answer: the session record and the user
        send(ex, 200, "application/json", Json.bytes(Map.of(
                "session", Map.of("id", sid, "userId", sub, "tenantId", tid),
                "user", Map.of("id", sub, "tenantId", tid))));
    }

    private void activity(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        byte[] body = ex.getRequestBody().readAllBytes();
        if (!("Bearer " + AGENT_TOKEN).equals(auth)) {
            send(ex, 401, "application/json", new byte[0]);
            return;
        }
        int status = activityStatus;
        if (status / 100 == 2) {
            activityReports.add(new String(body, StandardCharsets.UTF_8));
        }
        activityAttempts.add(status);
        send(ex, status, "application/json", new byte[0]);
    }

    private static void problem(HttpExchange ex, String code) throws IOException {
        send(ex, 401, Problem.MEDIA_TYPE, Json.bytes(Problem.of(401, code, code)));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    public String token(String userId, String tenantId, String sessionId, Instant expiresAt) {
        return issuer.issue(userId, tenantId, sessionId, expiresAt);
    }

    public String token(String userId, String tenantId, String sessionId) {
        return token(userId, tenantId, sessionId, clock.instant().plus(Duration.ofHours(1)));
    }

    public SigningKeys keys() {
        return keys;
    }

    /** From now on the session endpoint answers {@code code} (session_revoked, session_expired) for it. */
    public void end(String sessionId, String code) {
        ended.put(sessionId, code);
    }

    /** From now on the session endpoint answers 200 with exactly {@code body} for this session. */
    public void answerOk(String sessionId, byte[] body) {
        rawAnswers.put(sessionId, body);
    }

    public void activityAnswers(int status) {
        this.activityStatus = status;
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
