package ai.coditect.sidecar.bridge;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.problem.Problem;
import ai.coditect.sidecar.management.SidecarMetrics;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * How the sidecar says no: problem+json for programs, and for a browser's navigation ({@code Accept: text/html})
 * a small page that says what happened and links to sign in. Errors the sidecar did not plan for, and requests
 * Helidon cannot even parse, get the same treatment and are counted, never logged with a stack trace each.
 */
public final class Problems {
    /** What a person reads for a refusal: a heading and a sentence; the problem's detail is for programs. */
    private record Words(String heading, String text) {
    }

    private static final Map<String, Words> PAGES = Map.of(
            "token_invalid", new Words("Sign in to open this workspace",
                    "Open the workspace from the Coditect web app, or sign in again."),
            "session_expired", new Words("Your session has ended",
                    "Sessions end after a while for safety. Sign in again to go on where you left off."),
            "session_revoked", new Words("You were signed out",
                    "This session was logged out. Sign in again to open the workspace."),
            "not_workspace_owner", new Words("This workspace belongs to someone else",
                    "You are signed in as another user. Open your own workspace from the web app."),
            "session_check_unavailable", new Words("Coditect cannot check your session right now",
                    "This usually passes within a minute. Reload the page to try again."),
            "unsafe_redirect", new Words("This link cannot be opened",
                    "The link points somewhere this workspace does not send people. Open the workspace from the web app."));

    private final URI signInUrl;
    private final SidecarMetrics metrics;

    public Problems(URI signInUrl, SidecarMetrics metrics) {
        this.signInUrl = signInUrl;
        this.metrics = metrics;
    }

    /** A refusal of {@code req}: a page for a browser navigation, problem+json for everything else. */
    public void send(ServerRequest req, ServerResponse res, int status, String code, String detail) {
        if (wantsPage(req)) {
            Words words = PAGES.getOrDefault(code, new Words("This workspace cannot be opened", detail));
            res.status(Status.create(status));
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send(page(words.heading(), words.text(), signInUrl.toString(), code).getBytes(StandardCharsets.UTF_8));
            return;
        }
        json(res, status, code, detail);
    }

    public static void json(ServerResponse res, int status, String code, String detail) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.bytes(Problem.of(status, code, detail)));
    }

    /** An exception no handler expected: problem+json (400 for input it could not use, else 500), counted. */
    public void unexpected(ServerRequest req, ServerResponse res, Throwable error) {
        // a request the sidecar could not turn into a backend request (an unusual character, say) is bad input
        boolean badInput = malformed(error);
        metrics.error(badInput ? "bad_request" : "internal");
        if (res.isSent()) {
            return; // the answer is on its way already; nothing can be said any more
        }
        if (badInput) {
            json(res, 400, "bad_request", "The request could not be understood.");
        } else {
            json(res, 500, "internal", "The workspace's sidecar failed on this request.");
        }
    }

    /** Answers for requests Helidon refuses before routing (unparseable request lines, headers too large). */
    public DirectHandler directHandler() {
        return new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                            ServerResponseHeaders headers, String message) {
                return answer(request, type, status, headers, null);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                            ServerResponseHeaders headers, Throwable thrown) {
                return answer(request, type, status, headers, thrown);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                            ServerResponseHeaders headers, Throwable thrown,
                                            System.Logger logger) {
                return answer(request, type, status, headers, thrown);
            }
        };
    }

    private DirectHandler.TransportResponse answer(DirectHandler.TransportRequest request,
                                                   DirectHandler.EventType type, Status status,
                                                   ServerResponseHeaders headers, Throwable thrown) {
        String code = type.name().toLowerCase(Locale.ROOT);
        if (!request.path().isEmpty() && !Targets.isOriginForm(request.path())) {
            status = Status.BAD_REQUEST_400;
            code = "bad_request_target";
        } else if (type == DirectHandler.EventType.INTERNAL_ERROR && request.path().isEmpty()) {
            // Helidon failed on a request before it could even name its path: every such case found is hostile
            // input (a WebSocket upgrade to an absolute-form target fails in Helidon's route matching)
            status = Status.BAD_REQUEST_400;
            code = "bad_request";
        } else if (malformed(thrown)) {
            // Helidon calls a request line it cannot decode (a path like /%zz) an internal error; it is bad input
            status = Status.BAD_REQUEST_400;
            code = "bad_request";
        }
        metrics.error(code);
        headers.set(HeaderValues.create(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE));
        headers.set(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store"));
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(false)
                .entity(Json.bytes(Problem.of(status.code(), code, "The request could not be understood: "
                        + status.reasonPhrase() + ".")))
                .build();
    }

    private static boolean malformed(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    /** A navigation by a browser, as opposed to a script's fetch or a program. */
    static boolean wantsPage(ServerRequest req) {
        return req.headers().first(HeaderNames.ACCEPT).map(a -> a.toLowerCase(Locale.ROOT).contains("text/html"))
                .orElse(false);
    }

    private static String page(String heading, String text, String signIn, String code) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%1$s · Coditect</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1a202c}
                a{display:inline-block;margin-top:1rem;padding:.5rem 1rem;border-radius:.375rem;background:#2b6cb0;color:#fff;text-decoration:none}
                @media (prefers-color-scheme:dark){body{background:#1a202c;color:#e2e8f0}}</style></head>
                <body><main><h1>%1$s</h1><p>%2$s</p>
                <a href="%3$s" target="_top" rel="noopener">Sign in to Coditect</a>
                <p><small>Reason: <code>%4$s</code></small></p></main></body></html>
                """.formatted(html(heading), html(text), html(signIn), html(code));
    }

    /** Escapes text for HTML content and double-quoted attributes. */
    public static String html(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
