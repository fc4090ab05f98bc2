package ai.coditect.sidecar.auth;

import ai.coditect.sidecar.bridge.Problems;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The "open IDE" link, {@code /any/path?access_token=…}: where it may lead, and the landing page that sets the
 * cookie and moves on. A 302 would not do: a {@code SameSite=Strict} cookie set on a redirect that a link on
 * another site started is not sent with the redirected request, which is still cross-site, so the user would be
 * refused. The landing page is a document of the workspace's own origin, so the navigation it starts is same-site
 * and carries the cookie; it first replaces the URL with the token in it, so the token stays out of history.
 */
final class AccessLink {
    static final String PARAMETER = "access_token";

    /** Fixed, so that the page's Content-Security-Policy can allow exactly this script by its hash. */
    private static final String SCRIPT = "var a=document.getElementById('go');"
            + "history.replaceState(null,'',a.getAttribute('href'));location.replace(a.href);";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src '" + sha256(SCRIPT)
            + "'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private AccessLink() {
    }

    /**
     * The path and query to go on to, without the token, when they stay on this origin: an origin-form path that,
     * however often it is percent-decoded, holds no {@code //}, no backslash (browsers read {@code /\} as
     * {@code //}), no whitespace and no control character. Empty for anything else: such a link is refused, and no cookie set.
     */
    static Optional<String> sameOriginTarget(String rawPath, String rawQuery) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return Optional.empty();
        }
        String path = rawPath;
        for (int round = 0; round < 4; round++) {
            if (!safePath(path)) {
                return Optional.empty();
            }
            String decoded = percentDecode(path);
            if (decoded == null) {
                return Optional.empty();
            }
            if (decoded.equals(path)) {
                break;
            }
            path = decoded;
        }
        if (!safePath(path) || path.indexOf('%') >= 0 && !path.equals(percentDecode(path))) {
            return Optional.empty(); // still encoded after four rounds: nobody links like that in good faith
        }
        StringJoiner kept = new StringJoiner("&");
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq));
                if (name == null) {
                    return Optional.empty();
                }
                if (!name.trim().equals(PARAMETER)) {
                    kept.add(pair);
                }
            }
        }
        return Optional.of(kept.length() == 0 ? rawPath : rawPath + "?" + kept);
    }

    private static boolean safePath(String path) {
        if (path.contains("//")) {
            return false; // "//host" is another site; "/.//host" becomes it once dot segments are removed
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' || c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986 percent-decoding as UTF-8 ({@code +} stays a plus); null when malformed. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The landing page: no token in it, only the same-origin target, as a link and for the script. */
    static String page(String target) {
        String href = Problems.html(target);
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
                <title>Opening your workspace · Coditect</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;margin:15vh auto;max-width:34rem;padding:0 1rem}</style>
                </head><body><p>Opening your workspace… <a id="go" href="%s">Continue</a></p>
                <script>%s</script></body></html>
                """.formatted(href, SCRIPT);
    }

    private static String sha256(String script) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
