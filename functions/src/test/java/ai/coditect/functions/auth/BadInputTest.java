package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Malformed requests get a clear 4xx problem with a stable code — never a 500. */
class BadInputTest {
    private static TestPlatform platform;
    private static String token;

    @BeforeAll
    static void start() {
        platform = TestPlatform.start();
        token = platform.signup("existing@example.com", "correct horse battery staple").get("accessToken").asText();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static final String BIG = "{\"email\":\"a@example.com\",\"password\":\"" + "x".repeat(70_000) + "\"}";

    static Stream<Arguments> requests() {
        return Stream.of(
                arguments("text/plain body", "POST", "/v1/auth/signup", "text/plain", "{}", 415, "unsupported_media_type"),
                arguments("no content type", "POST", "/v1/auth/login", null, "{}", 415, "unsupported_media_type"),
                arguments("body over 64 KiB", "POST", "/v1/auth/signup", "application/json", BIG, 413, "payload_too_large"),
                arguments("not JSON", "POST", "/v1/auth/signup", "application/json", "{\"email\":", 400, "malformed_json"),
                arguments("a JSON array", "POST", "/v1/auth/signup", "application/json", "[1,2]", 400, "malformed_json"),
                arguments("empty body", "POST", "/v1/auth/login", "application/json", "", 400, "malformed_json"),
                arguments("missing email", "POST", "/v1/auth/signup", "application/json", "{\"password\":\"long enough password\"}", 400, "invalid_email"),
                arguments("email as a number", "POST", "/v1/auth/signup", "application/json", "{\"email\":5,\"password\":\"long enough password\"}", 400, "invalid_email"),
                arguments("not an email", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"ada@\",\"password\":\"long enough password\"}", 400, "invalid_email"),
                arguments("two @", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"a@b@example.com\",\"password\":\"long enough password\"}", 400, "invalid_email"),
                arguments("missing password", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"new@example.com\"}", 400, "weak_password"),
                arguments("short password", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"new@example.com\",\"password\":\"elevenchars\"}", 400, "weak_password"),
                arguments("password over 256", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"new@example.com\",\"password\":\"" + "p".repeat(257) + "\"}", 400, "weak_password"),
                arguments("password is the email", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"longer.name@example.com\",\"password\":\"Longer.Name@Example.com\"}", 400, "weak_password"),
                arguments("name as an object", "POST", "/v1/auth/signup", "application/json", "{\"email\":\"new@example.com\",\"password\":\"long enough password\",\"name\":{}}", 400, "malformed_json"),
                arguments("login without password", "POST", "/v1/auth/login", "application/json", "{\"email\":\"existing@example.com\"}", 400, "malformed_json"),
                arguments("login without email", "POST", "/v1/auth/login", "application/json", "{\"password\":\"x\"}", 400, "invalid_email"),
                arguments("unknown method", "PUT", "/v1/auth/login", "application/json", "{}", 405, "method_not_allowed"),
                arguments("GET on a POST route", "GET", "/v1/auth/signup", null, null, 405, "method_not_allowed"),
                arguments("unknown path", "GET", "/v1/auth/whoami", null, null, 404, "not_found"),
                arguments("session without a token", "GET", "/v1/auth/session", null, null, 401, "token_invalid"),
                arguments("basic instead of bearer", "GET", "/v1/auth/session", null, "Basic YWRhOnB3", 401, "token_invalid"),
                arguments("garbage bearer", "GET", "/v1/auth/session", null, "Bearer not.a.jwt", 401, "token_invalid"),
                arguments("long garbage bearer", "GET", "/v1/auth/session", null, "Bearer " + "a.b".repeat(1_500), 401, "token_invalid"),
                arguments("malformed session id", "DELETE", "/v1/auth/sessions/not-an-id", null, "OWN", 404, "session_not_found"),
                arguments("unknown session id", "DELETE", "/v1/auth/sessions/aaaaaaaaaaaaaaaaaaaaaaaaaa", null, "OWN", 404, "session_not_found"),
                arguments("no session id", "DELETE", "/v1/auth/sessions/", null, "OWN", 405, "method_not_allowed"));
    }

    @ParameterizedTest(name = "{0} -> {5} {6}")
    @MethodSource("requests")
    void malformedRequestsGetAProblemWithAStableCode(String name, String method, String path, String contentType,
                                                     String bodyOrAuth, int status, String code) {
        HttpRequest.Builder b = platform.builder(path, null);
        String body = bodyOrAuth;
        if (method.equals("GET") || method.equals("DELETE")) {
            if ("OWN".equals(bodyOrAuth)) {
                b.header("Authorization", "Bearer " + token);
            } else if (bodyOrAuth != null) {
                b.header("Authorization", bodyOrAuth);
            }
            body = null;
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        Reply r = platform.send(b);
        assertEquals(status, r.status(), r.body());
        assertEquals(code, r.code(), r.body());
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"));
        assertTrue(r.header("X-Request-Id") != null);
    }
}
