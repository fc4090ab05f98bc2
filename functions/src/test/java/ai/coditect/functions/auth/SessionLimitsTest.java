package ai.coditect.functions.auth;

import ai.coditect.functions.testing.TestPlatform;
import ai.coditect.functions.testing.TestPlatform.Reply;
import ai.coditect.shared.testing.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's sessions are capped, and their list comes in pages, so no request reads an unbounded set. */
class SessionLimitsTest {
    private static final String PASSWORD = "correct horse battery staple";
    private final TestClock clock = TestClock.atNow();
    private TestPlatform platform;

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void aLoginBeyondTheCapEndsTheOldestSessionOnly() {
        platform = TestPlatform.start(clock, new SessionPolicy(Duration.ofHours(12), Duration.ofHours(2), 3));
        List<String> tokens = new ArrayList<>();
        tokens.add(platform.signup("cap@example.com", PASSWORD).get("accessToken").asText());
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            tokens.add(platform.login("cap@example.com", PASSWORD).get("accessToken").asText());
        }

        Reply oldest = platform.get("/v1/auth/session", tokens.getFirst());
        assertEquals(401, oldest.status(), oldest.body());
        for (String token : tokens.subList(1, 4)) {
            assertEquals(200, platform.get("/v1/auth/session", token).status());
        }
        assertEquals(3, platform.get("/v1/auth/sessions", tokens.getLast()).json().get("sessions").size());
    }

    @Test
    void revokedSessionsMakeRoomBeforeLiveOnes() {
        platform = TestPlatform.start(clock, new SessionPolicy(Duration.ofHours(12), Duration.ofHours(2), 2));
        String first = platform.signup("room@example.com", PASSWORD).get("accessToken").asText();
        clock.advance(Duration.ofSeconds(1));
        String second = platform.login("room@example.com", PASSWORD).get("accessToken").asText();
        assertEquals(204, platform.post("/v1/auth/logout", null, second).status());
        clock.advance(Duration.ofSeconds(1));
        String third = platform.login("room@example.com", PASSWORD).get("accessToken").asText();

        assertEquals(200, platform.get("/v1/auth/session", first).status(), "the oldest live session stays");
        assertEquals(200, platform.get("/v1/auth/session", third).status());
    }

    @Test
    void theSessionListComesInPagesThatTogetherHoldEverySession() {
        platform = TestPlatform.start(clock, SessionPolicy.DEFAULT);
        Set<String> made = new HashSet<>();
        JsonNode in = platform.signup("pages@example.com", PASSWORD);
        made.add(in.at("/session/id").asText());
        for (int i = 0; i < 6; i++) {
            made.add(platform.login("pages@example.com", PASSWORD).at("/session/id").asText());
        }
        String token = in.get("accessToken").asText();

        Set<String> listed = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            Reply page = platform.get("/v1/auth/sessions?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertEquals(200, page.status(), page.body());
            JsonNode sessions = page.json().get("sessions");
            sizes.add(sessions.size());
            sessions.forEach(s -> assertTrue(listed.add(s.get("id").asText()), "listed twice: " + s));
            cursor = page.json().path("nextCursor").asText(null);
        } while (cursor != null);

        assertEquals(made, listed);
        assertEquals(List.of(3, 3, 1), sizes);
    }

    @Test
    void badPageParametersAreRefusedWithA400() {
        platform = TestPlatform.start(clock, SessionPolicy.DEFAULT);
        String token = platform.signup("params@example.com", PASSWORD).get("accessToken").asText();
        List<String> hostile = List.of("limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1e3", "limit=+5",
                "limit=" + enc("٣"), "limit=99999999999", "limit=", "cursor=" + enc("../x"), "cursor=short",
                "cursor=" + "a".repeat(27), "cursor=" + enc("aaaaaaaaaaaaaaaaaaaaaaaaa\u0000"),
                "cursor=" + "A".repeat(26));
        for (String query : hostile) {
            Reply r = platform.get("/v1/auth/sessions?" + query, token);
            assertEquals(400, r.status(), query + " -> " + r.body());
            assertEquals("application/problem+json", r.header("Content-Type"));
            assertFalse(r.code().isEmpty(), query);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
