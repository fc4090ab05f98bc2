package ai.coditect.sidecar.auth;

import ai.coditect.sidecar.testing.RawHttp;
import ai.coditect.sidecar.testing.SidecarFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "open IDE" link, {@code ?access_token=}: a landing page on the workspace's own origin sets the cookie and
 * goes on to the same path without the token — and only ever to a path of this origin.
 */
class AccessLinkTest {
    private static SidecarFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = SidecarFixture.start();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void anOpenIdeLinkLandsOnAPageThatSetsTheCookieAndGoesOnWithoutTheToken() throws Exception {
        String token = fixture.token();
        HttpResponse<String> landing = fixture.http.send(HttpRequest.newBuilder(
                fixture.url("/ide/?access_token=" + token + "&folder=/home/project")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, landing.statusCode(), "a page, not a redirect: its own navigation is same-site");
        assertTrue(landing.headers().firstValue("location").isEmpty());
        assertTrue(landing.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertEquals("no-store", landing.headers().firstValue("cache-control").orElse(""));
        assertEquals("no-referrer", landing.headers().firstValue("referrer-policy").orElse(""));
        String cookie = landing.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(cookie.startsWith(fixture.cookieName() + "=" + token + ";"), cookie);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), cookie);
        assertFalse(cookie.contains("Secure"), "plain http (configured): no Secure flag");
        assertFalse(landing.body().contains(token), "the page holds no token");
        assertTrue(landing.body().contains("href=\"/ide/?folder=/home/project\""), landing.body());
        assertTrue(landing.body().contains("history.replaceState") && landing.body().contains("location.replace"),
                "the token's URL is replaced, not kept in history");

        String script = landing.body().substring(landing.body().indexOf("<script>") + 8,
                landing.body().indexOf("</script>"));
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(script.getBytes(StandardCharsets.UTF_8)));
        String policies = String.join(", ", landing.headers().allValues("content-security-policy"));
        assertTrue(policies.contains("script-src 'sha256-" + hash + "'"), "only this page's script may run: " + policies);

        HttpResponse<String> withCookie = fixture.http.send(HttpRequest.newBuilder(fixture.url("/ide/?folder=/home/project"))
                .header("Cookie", fixture.cookieName() + "=" + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withCookie.statusCode(), "the page's navigation, carrying the cookie, is served");

        HttpResponse<String> badLink = fixture.http.send(HttpRequest.newBuilder(
                fixture.url("/?access_token=garbage")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, badLink.statusCode());
        assertTrue(badLink.headers().firstValue("set-cookie").isEmpty());
    }

    /** One hostile (or tricky) link and where it may lead: null when it must be refused. */
    private record Link(String what, String target, String leadsTo, String... headers) {
    }

    @Test
    void hostileLinksAreRefusedWithoutACookieAndTrickyOnesStayOnThisOrigin() throws Exception {
        String t = fixture.token();
        List<Link> links = List.of(
                new Link("protocol-relative", "//evil.example/x?access_token=" + t, null),
                new Link("backslash", "/\\evil.example/x?access_token=" + t, null),
                new Link("encoded slash", "/%2Fevil.example/x?access_token=" + t, null),
                new Link("encoded slashes", "/%2F%2Fevil.example/x?access_token=" + t, null),
                new Link("double-encoded slashes", "/%252F%252Fevil.example?access_token=" + t, null),
                new Link("encoded backslash", "/%5Cevil.example?access_token=" + t, null),
                new Link("encoded backslashes", "/%5C%5Cevil.example?access_token=" + t, null),
                new Link("encoded tab", "/%09/evil.example?access_token=" + t, null),
                new Link("encoded CR LF", "/x%0d%0aSet-Cookie:%20a=b?access_token=" + t, null),
                new Link("dot segment to //", "/.//evil.example?access_token=" + t, null),
                new Link("absolute-form", "http://evil.example/x?access_token=" + t, null),
                new Link("absolute-form with user info", "http:@evil.example/x?access_token=" + t, null),
                new Link("scheme, no slash", "javascript:alert(1)?access_token=" + t, null),
                new Link("plain", "/ide/?access_token=" + t + "&folder=/home/project", "/ide/?folder=/home/project"),
                new Link("hostile query, own path", "/x?next=//evil.example&access_token=" + t, "/x?next=//evil.example"),
                new Link("token twice", "/x?access_token=" + t + "&access_token=" + t, "/x"),
                new Link("encoded parameter name", "/x?access%5Ftoken=" + t + "&a=1", "/x?a=1"),
                new Link("scheme-like path", "/javascript:alert(1)?access_token=" + t, "/javascript:alert(1)"),
                new Link("overlong UTF-8 slash", "/%C0%AF%C0%AFevil.example?access_token=" + t,
                        "/%C0%AF%C0%AFevil.example"),
                new Link("spoofed Host", "/x?access_token=" + t, "/x", "Host: evil.example"));
        for (Link link : links) {
            RawHttp.Response r = RawHttp.send(fixture.sidecar.port(), "GET", link.target(), link.headers());
            System.out.printf("GET %-60s -> %d %s%n", link.target().replace(t, "<token>"), r.status(),
                    r.status() == 200 ? "landing page to " + link.leadsTo() : r.body());
            assertTrue(r.header("location").isEmpty(), link.what() + ": never a redirect");
            assertFalse(r.body().contains(t), link.what() + ": the token is never echoed");
            if (link.leadsTo() == null) {
                assertEquals(400, r.status(), link.what() + ": " + r.body());
                assertTrue(r.header("set-cookie").isEmpty(), link.what() + ": no cookie for a hostile link");
                assertTrue(r.header("content-type").orElse("").startsWith("application/problem+json"),
                        link.what() + ": " + r.headers());
            } else if (link.what().equals("encoded parameter name") && r.status() == 401) {
                // the server did not read the encoded name as access_token: then it is no link at all
                assertTrue(r.header("set-cookie").isEmpty());
            } else {
                assertEquals(200, r.status(), link.what() + ": " + r.body());
                assertTrue(r.header("set-cookie").orElse("").startsWith(fixture.cookieName() + "="), link.what());
                assertTrue(r.body().contains("href=\"" + link.leadsTo().replace("&", "&amp;") + "\""),
                        link.what() + ": " + r.body());
            }
        }
    }
}
