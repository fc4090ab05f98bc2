package ai.coditect.functions.http;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.logging.JsonLineFormatter;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failure on the platform's side is answered as one, never as an empty success. */
class ServerFailuresTest {
    @Test
    void anUnreadableSessionRecordIsA500WithTheRequestIdNeverAnEmpty200() {
        StringBuilder logged = new StringBuilder();
        Handler capture = capture(logged);
        Logger routes = Logger.getLogger(Routes.class.getName());
        routes.addHandler(capture);
        try (TestPlatform platform = TestPlatform.start()) {
            JsonNode in = platform.signup("corrupt@example.com", "correct horse battery staple");
            String token = in.get("accessToken").asText();
            platform.platform().database().run(tr -> {
                tr.set(platform.platform().keyspace().session(in.at("/user/tenantId").asText(),
                        in.at("/session/id").asText()), "{not json".getBytes(StandardCharsets.UTF_8));
                return null;
            });

            Reply reply = platform.get("/v1/auth/session", token);

            assertEquals(500, reply.status(), reply.body());
            assertEquals("application/problem+json", reply.header("Content-Type"));
            assertEquals("internal", reply.code());
            String requestId = reply.header("X-Request-Id");
            assertTrue(reply.json().path("detail").asText().contains(requestId), reply.body());
            String text;
            synchronized (logged) {
                text = logged.toString();
            }
            assertTrue(text.contains("request failed") && text.contains(requestId), "logged with its id: " + text);
            assertFalse(text.contains(token), "the token was logged");
            assertFalse(text.contains(token.split("\\.")[2]), "the token's signature was logged");
        } finally {
            routes.removeHandler(capture);
        }
    }

    private static Handler capture(StringBuilder logged) {
        JsonLineFormatter formatter = new JsonLineFormatter();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (logged) {
                    logged.append(formatter.format(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        return handler;
    }
}
