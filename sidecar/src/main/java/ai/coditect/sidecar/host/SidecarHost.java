package ai.coditect.sidecar.host;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.problem.Problem;
import ai.coditect.sidecar.Sidecar;
import ai.coditect.sidecar.SidecarConfig;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Many sidecars in one process, for the local platform: each with its own ports, owner and tokens, built by the
 * same {@link Sidecar#setup} as a workspace pod's, sharing only the HTTP client and the timer thread. The local
 * platform starts and stops them over a loopback-only control API that takes a bearer token:
 * <ul>
 *   <li>{@code PUT /v1/sidecars/{name}} with {@code {"environment": {...}}} — the variables a sidecar process
 *       reads ({@code PORT}, {@code THEIA_URL}, {@code CODITECT_OWNER_USER_ID}, …); 201 with
 *       {@code {"name","port","managementPort"}}, or 200 with the running one's if the name is taken;</li>
 *   <li>{@code GET /v1/sidecars/{name}} — 200 as above, or 404;</li>
 *   <li>{@code DELETE /v1/sidecars/{name}} — drains and stops it (WebSockets closed with 1001); 204, or 404;</li>
 *   <li>{@code GET /v1/sidecars} — {@code {"sidecars": [...]}}; {@code GET /health} — 200 without a token.</li>
 * </ul>
 */
public final class SidecarHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SidecarHost.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final int MAX_BODY_BYTES = 64 * 1024;

    /** One hosted sidecar as the control API shows it. */
    public record Hosted(String name, int port, int managementPort) {
    }

    private final byte[] token;
    private final Clock clock;
    private final Sidecar.Shared shared = Sidecar.Shared.create();
    private final Map<String, Entry> sidecars = new ConcurrentHashMap<>();
    /** One lock per name: sidecars start side by side, two starts of one name one after the other. */
    private final Map<String, Object> starting = new ConcurrentHashMap<>();
    private volatile WebServer control;

    private record Entry(Sidecar sidecar, Hosted hosted) {
    }

    private SidecarHost(String token, Clock clock) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** Starts the control API on {@code 127.0.0.1:port} (0 for any free port), answering only {@code token}. */
    public static SidecarHost start(int port, String token, Clock clock) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("The sidecar host needs a control token of at least 16 characters.");
        }
        SidecarHost host = new SidecarHost(token, clock);
        host.control = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(r -> r
                        .get("/health", (req, res) -> res.send("{\"status\":\"ok\"}"))
                        .get("/v1/sidecars", host::list)
                        .put("/v1/sidecars/{name}", host::put)
                        .get("/v1/sidecars/{name}", host::get)
                        .delete("/v1/sidecars/{name}", host::delete)
                        .error(Throwable.class, (req, res, e) -> {
                            LOG.log(Level.WARNING, "sidecar host request failed", e);
                            problem(res, 500, "internal", "The sidecar host failed on this request.");
                        }))
                .build()
                .start();
        LogFields.of("port", host.port()).log(LOG, Level.INFO, "sidecar host started");
        return host;
    }

    public int port() {
        return control.port();
    }

    /** The sidecars running now. */
    public List<Hosted> hosted() {
        return sidecars.values().stream().map(Entry::hosted).toList();
    }

    private void put(ServerRequest req, ServerResponse res) {
        String name = authorizedName(req, res);
        if (name == null) {
            return;
        }
        byte[] body;
        try (var in = req.content().inputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (java.io.IOException | RuntimeException e) {
            problem(res, 400, "invalid_request", "The body could not be read.");
            return;
        }
        if (body.length > MAX_BODY_BYTES) {
            problem(res, 413, "body_too_large", "The sidecar's environment is limited to 64 KiB.");
            return;
        }
        Map<String, String> environment = new HashMap<>();
        try {
            JsonNode env = Json.tree(body).get("environment");
            if (env == null || !env.isObject()) {
                problem(res, 400, "invalid_request", "Send {\"environment\": {...}} with the sidecar's variables.");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    problem(res, 400, "invalid_request", "Every environment value is a string: " + e.getKey() + ".");
                    return;
                }
                environment.put(e.getKey(), e.getValue().asText());
            }
        } catch (RuntimeException e) {
            problem(res, 400, "invalid_request", "The body is not JSON.");
            return;
        }
        SidecarConfig config;
        try {
            config = SidecarConfig.fromEnvironment(environment);
        } catch (IllegalArgumentException e) {
            problem(res, 400, "invalid_config", e.getMessage());
            return;
        }
        if (!isLoopback(config.host())) {
            problem(res, 400, "invalid_config", "Hosted sidecars listen on a loopback address (HOST).");
            return;
        }
        synchronized (starting.computeIfAbsent(name, k -> new Object())) {
            Entry running = sidecars.get(name);
            if (running != null) {
                res.status(Status.OK_200);
                json(res, running.hosted());
                return;
            }
            Sidecar sidecar;
            try {
                sidecar = Sidecar.start(config, clock, shared);
            } catch (RuntimeException e) {
                // most often a port that is taken
                LOG.log(Level.WARNING, "a hosted sidecar did not start", e);
                problem(res, 409, "sidecar_not_started", "The sidecar could not start: " + e.getMessage());
                return;
            }
            Hosted hosted = new Hosted(name, sidecar.port(), sidecar.managementPort());
            sidecars.put(name, new Entry(sidecar, hosted));
            LogFields.of("name", name, "port", hosted.port()).log(LOG, Level.INFO, "hosted sidecar started");
            res.status(Status.CREATED_201);
            json(res, hosted);
        }
    }

    private void get(ServerRequest req, ServerResponse res) {
        String name = authorizedName(req, res);
        if (name == null) {
            return;
        }
        Entry e = sidecars.get(name);
        if (e == null) {
            problem(res, 404, "not_found", "No sidecar of that name runs here.");
            return;
        }
        json(res, e.hosted());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = authorizedName(req, res);
        if (name == null) {
            return;
        }
        Entry e = sidecars.remove(name);
        if (e == null) {
            problem(res, 404, "not_found", "No sidecar of that name runs here.");
            return;
        }
        e.sidecar().close();
        LogFields.of("name", name).log(LOG, Level.INFO, "hosted sidecar stopped");
        res.status(Status.NO_CONTENT_204).send();
    }

    private void list(ServerRequest req, ServerResponse res) {
        if (!authorized(req, res)) {
            return;
        }
        json(res, Map.of("sidecars", hosted()));
    }

    private String authorizedName(ServerRequest req, ServerResponse res) {
        if (!authorized(req, res)) {
            return null;
        }
        String name = req.path().pathParameters().get("name");
        if (!NAME.matcher(name).matches()) {
            problem(res, 400, "invalid_name", "A sidecar's name is 1 to 100 letters, digits, '-' or '_'.");
            return null;
        }
        return name;
    }

    private boolean authorized(ServerRequest req, ServerResponse res) {
        String presented = req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .orElse("");
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            problem(res, 401, "unauthorized", "The sidecar host's control token is required.");
            return false;
        }
        return true;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void json(ServerResponse res, Object value) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(value));
    }

    private static void problem(ServerResponse res, int status, String code, String detail) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.send(Json.bytes(Problem.of(status, code, detail)));
    }

    /** Stops every hosted sidecar (draining each), then the control API. */
    @Override
    public void close() {
        for (String name : List.copyOf(sidecars.keySet())) {
            Entry e = sidecars.remove(name);
            if (e != null) {
                e.sidecar().close();
            }
        }
        WebServer c = control;
        if (c != null) {
            c.stop();
        }
        shared.close();
    }
}
