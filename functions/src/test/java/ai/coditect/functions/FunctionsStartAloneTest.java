package ai.coditect.functions;

import ai.coditect.functions.agents.AgentsFunction;
import ai.coditect.functions.auth.AuthFunction;
import ai.coditect.functions.auth.JwksFunction;
import ai.coditect.functions.cleanup.CleanupFunction;
import ai.coditect.functions.local.FunctionProcess;
import ai.coditect.functions.workspaces.ProvisionFunction;
import ai.coditect.functions.workspaces.WorkspacesFunction;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventCodec;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.net.FreePorts;
import ai.coditect.shared.tokens.SigningKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every deployable function starts in a JVM of its own under the real invoker with only its own environment (no
 * other function's variables, nothing inherited) and answers its first request, as one Cloud Run service does.
 */
class FunctionsStartAloneTest {
    private static final Duration START = Duration.ofMinutes(2);
    private static final String ISSUER = "https://coditect.example.com";
    private static SigningKeys keys;

    @TempDir
    Path logs;

    @BeforeAll
    static void keys() {
        keys = SigningKeys.generate();
    }

    /** Pub/Sub is named but never reached by these requests: an address where nothing listens. */
    private static Map<String, String> pubSub() {
        return Map.of("CODITECT_GCP_PROJECT", "start-alone", "PUBSUB_EMULATOR_HOST", "127.0.0.1:" + FreePorts.any());
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new java.util.HashMap<>(a);
        out.putAll(b);
        return out;
    }

    @Test
    void jwksStartsWithThePublicKeysAloneAndPublishesNoPrivatePart() {
        HttpResponse<String> r = answer(JwksFunction.class, Map.of(
                "CODITECT_PUBLIC_KEYS", keys.publicKeys().toString()), "/.well-known/jwks.json",
                uri -> HttpRequest.newBuilder(uri).GET().build());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains(keys.signingKey().getKeyID()), r.body());
        assertFalse(r.body().contains("\"d\""), "no private exponent: " + r.body());
    }

    @Test
    void authStartsWithItsOwnEnvironmentAndAnswersALogin() {
        HttpResponse<String> r = answer(AuthFunction.class, with(pubSub(), Map.of(
                "CODITECT_STORE", "memory:", "CODITECT_ISSUER", ISSUER,
                "CODITECT_SIGNING_KEYS", keys.toPrivateJson())), "/v1/auth/login",
                uri -> HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"email\":\"nobody@example.com\",\"password\":\"correct horse battery staple\"}"))
                        .build());
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.body().contains("invalid_credentials"), r.body());
    }

    @Test
    void workspacesStartWithThePublicKeysAndAnswer() {
        HttpResponse<String> r = answer(WorkspacesFunction.class, with(pubSub(), Map.of(
                "CODITECT_STORE", "memory:", "CODITECT_ISSUER", ISSUER,
                "CODITECT_PUBLIC_KEYS", keys.publicKeys().toString(), "CODITECT_WORKSPACE_BACKEND", "kubernetes")),
                "/v1/workspaces/me", uri -> HttpRequest.newBuilder(uri).GET().build());
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.body().contains("token_invalid"), r.body());
    }

    @Test
    void agentsStartWithThePublicKeysAndAnswer() {
        HttpResponse<String> r = answer(AgentsFunction.class, with(pubSub(), Map.of(
                "CODITECT_STORE", "memory:", "CODITECT_ISSUER", ISSUER,
                "CODITECT_PUBLIC_KEYS", keys.publicKeys().toString())),
                "/v1/agents", uri -> HttpRequest.newBuilder(uri).GET().build());
        assertEquals(401, r.statusCode(), r.body());
    }

    @Test
    void cleanupStartsWithoutKeysOrIssuerAndAcknowledgesATick() {
        HttpResponse<String> r = answer(CleanupFunction.class, with(pubSub(), Map.of("CODITECT_STORE", "memory:")),
                "/", push(Event.of(EventType.CLEANUP_TICK, null, null, Map.of(), Clock.systemUTC())));
        assertEquals(204, r.statusCode(), r.body());
    }

    @Test
    void provisionStartsWithoutKeysOrPubSubAndAcknowledgesARequest() {
        Event request = Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, Ids.newId(), Ids.newId(), Map.of(),
                Clock.systemUTC());
        HttpResponse<String> r = answer(ProvisionFunction.class, Map.of("CODITECT_STORE", "memory:",
                "CODITECT_PUBLIC_URL", ISSUER, "CODITECT_WORKSPACE_BACKEND", "kubernetes"), "/", push(request));
        assertEquals(204, r.statusCode(), r.body());
    }

    /** The body a Pub/Sub push subscription POSTs for {@code event}. */
    static Function<URI, HttpRequest> push(Event event) {
        String body = new String(Json.bytes(Map.of(
                "message", Map.of("data", Base64.getEncoder().encodeToString(event.toJson()),
                        "attributes", EventCodec.attributes(event), "messageId", "1",
                        "publishTime", event.occurredAt().toString()),
                "subscription", "projects/p/subscriptions/start-alone")), java.nio.charset.StandardCharsets.UTF_8);
        return uri -> HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Starts {@code function} as production does (HTTP signature, only {@code env}) and returns its first answer. */
    private HttpResponse<String> answer(Class<?> function, Map<String, String> env, String path,
                                        Function<URI, HttpRequest> request) {
        try (FunctionProcess process = FunctionProcess.start(Path.of(System.getProperty("coditect.invoker.jar")),
                System.getProperty("java.class.path"), function, "http", env,
                logs.resolve(function.getSimpleName() + ".log"))) {
            return process.firstAnswer(request, path, START);
        }
    }
}
