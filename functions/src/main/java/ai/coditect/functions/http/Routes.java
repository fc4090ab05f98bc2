package ai.coditect.functions.http;

import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.logging.RequestContext;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The routes of one function: method and path pattern ({@code /v1/auth/sessions/{id}}) to handler. Serving a
 * request gives it a request id (logged with everything about it), answers 404 and 405 for what has no route,
 * turns {@link ApiException}s into problem responses and anything unexpected into a 500 without details, and
 * writes one access-log line — never with headers or bodies, which may hold passwords or tokens.
 */
public final class Routes {
    private static final Logger LOG = Logger.getLogger(Routes.class.getName());
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Handles one request; may throw {@link ApiException}. */
    @FunctionalInterface
    public interface Handler {
        void handle(HttpCall call) throws Exception;
    }

    private record Route(String method, String[] segments, Handler handler) {
    }

    private final List<Route> routes;

    private Routes(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every route as {@code METHOD /path/{parameter}}, in the order they were added (for API documents). */
    public List<String> endpoints() {
        return routes.stream().map(r -> r.method() + " " + String.join("/", r.segments())).toList();
    }

    public void serve(HttpRequest request, HttpResponse response) {
        String requestId = request.getFirstHeader("X-Request-Id").filter(id -> REQUEST_ID.matcher(id).matches())
                .orElseGet(Ids::newRequestId);
        HttpCall call = new HttpCall(request, response, requestId);
        long start = System.nanoTime();
        try {
            RequestContext.run(requestId, () -> {
                call.header("X-Request-Id", requestId);
                dispatch(call);
                if (LOG.isLoggable(Level.INFO)) { // the fields are not even gathered when the line is not written
                    LogFields.of("method", call.method(), "path", call.path(), "status", call.status(),
                            "millis", (System.nanoTime() - start) / 1_000_000).log(LOG, Level.INFO, "request");
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("unreachable: dispatch handles every exception", e);
        }
    }

    /** Answers the call; a client that went away before its answer could be written is left unanswered. */
    private void dispatch(HttpCall call) {
        try {
            answer(call);
        } catch (ClientGoneException e) {
            LOG.log(Level.FINE, "client went away", e);
        }
    }

    private void answer(HttpCall call) {
        try {
            String[] parts = split(call.path());
            Set<String> allowed = new LinkedHashSet<>();
            for (Route route : routes) {
                Map<String, String> parameters = match(route.segments(), parts);
                if (parameters == null) {
                    continue;
                }
                if (route.method().equals(call.method())) {
                    call.pathParameters(parameters);
                    route.handler().handle(call);
                    return;
                }
                allowed.add(route.method());
            }
            if (allowed.isEmpty()) {
                throw new ApiException(404, "not_found", "There is no " + call.path() + ".");
            }
            throw new ApiException(405, "method_not_allowed", call.method() + " is not allowed here.",
                    Map.of("Allow", String.join(", ", allowed)));
        } catch (ApiException e) {
            call.problem(e.problem(), e.headers());
        } catch (ClientGoneException e) {
            throw e; // not a failure of ours: dispatch drops it
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // the server is stopping this thread; it must know
            }
            // Anything else is ours: the client gets a 500 naming the request id, the log the same id and the
            // failure (never headers, where the token is).
            LogFields.of("method", call.method(), "path", call.path(), "requestId", call.requestId())
                    .log(LOG, Level.SEVERE, "request failed", e);
            internalError(call);
        }
    }

    private static void internalError(HttpCall call) {
        if (call.status() != 0) {
            return; // an answer was already written; a second one cannot follow it
        }
        call.problem(ai.coditect.shared.problem.Problem.of(500, "internal",
                "Something went wrong on our side; the request id is " + call.requestId() + "."), Map.of());
    }

    private static String[] split(String path) {
        String p = path == null ? "" : path;
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p.split("/", -1);
    }

    private static Map<String, String> match(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                parameters.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return parameters;
    }

    /** Collects routes. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        public Builder get(String path, Handler handler) {
            return add("GET", path, handler);
        }

        public Builder post(String path, Handler handler) {
            return add("POST", path, handler);
        }

        public Builder delete(String path, Handler handler) {
            return add("DELETE", path, handler);
        }

        public Builder add(String method, String path, Handler handler) {
            routes.add(new Route(method, split(path), handler));
            return this;
        }

        public Routes build() {
            return new Routes(routes);
        }
    }
}
