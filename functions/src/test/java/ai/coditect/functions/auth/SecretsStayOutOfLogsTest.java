package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.shared.logging.JsonLineFormatter;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing the platform logs while serving auth requests contains a password or a token. */
class SecretsStayOutOfLogsTest {
    @Test
    void passwordsAndTokensNeverReachTheLogs() {
        StringBuilder logged = new StringBuilder();
        JsonLineFormatter formatter = new JsonLineFormatter();
        Handler capture = new Handler() {
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
        Logger root = Logger.getLogger("");
        Level before = root.getLevel();
        root.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        String password = "the secret horse battery";
        try (TestPlatform platform = TestPlatform.start()) {
            JsonNode in = platform.signup("quiet@example.com", password);
            String token = in.get("accessToken").asText();
            platform.get("/v1/auth/session", token);
            platform.post("/v1/auth/login", "{\"email\":\"quiet@example.com\",\"password\":\"" + password + "x\"}", null);
            platform.post("/v1/auth/logout", null, token);
            platform.get("/v1/auth/session", token);
            String text = logged.toString();
            assertTrue(text.contains("\"message\":\"request\""), "requests were logged at all");
            assertTrue(text.contains("\"requestId\""), "with their request id");
            assertFalse(text.contains(password), "a password was logged");
            assertFalse(text.contains(token), () -> "a token was logged: " + text.lines()
                    .filter(l -> l.contains(token)).map(l -> l.substring(0, Math.min(300, l.length()))).toList());
            assertFalse(text.contains(token.split("\\.")[2]), "a token signature was logged");
        } finally {
            root.removeHandler(capture);
            root.setLevel(before);
        }
    }
}
