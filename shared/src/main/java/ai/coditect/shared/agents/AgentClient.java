package ai.coditect.shared.agents;

import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What an agent needs of the coordination registry, over HTTP: register with its card, keep its lease in the
 * background (registering again, with a new epoch, if the lease was lost), claim tasks with long-polls, heartbeat
 * while working, and complete or fail. {@link #run} is the whole claim loop. Authenticates with the workspace agent
 * token.
 */
public final class AgentClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AgentClient.class.getName());

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private volatile AgentCard card;
    private volatile Registration registration;
    private volatile boolean closed;
    private ScheduledFuture<?> renewals;

    /** A registration: the agent's id and epoch, and until when its lease runs. */
    public record Registration(String agentId, long epoch, Instant leaseExpiresAt, long leaseSeconds) {
    }

    /** A task this agent holds, and its claim's start and end by the registry's clock. */
    public record ClaimedTask(String id, String skill, JsonNode input, int priority, int attempts,
                              Instant claimedAt, Instant claimExpiresAt) {
        /** How long the claim lasts without a heartbeat, measured on the registry's clock alone. */
        public Duration claimPeriod() {
            return Duration.between(claimedAt, claimExpiresAt);
        }
    }

    /** Does the work of one task; what it returns is the task's output, what it throws fails the attempt. */
    @FunctionalInterface
    public interface Handler {
        Object handle(ClaimedTask task) throws Exception;
    }

    /** A refusal of the registry: the HTTP status and the problem's code. */
    public static final class RegistryException extends RuntimeException {
        private final int status;
        private final String code;

        RegistryException(int status, String code, String detail) {
            super(status + " " + code + ": " + detail);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private AgentClient(URI base, String token, HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coditect-agent-lease");
            t.setDaemon(true);
            return t;
        });
    }

    /** A client of the platform at {@code base} (e.g. {@code http://127.0.0.1:8080}) with the workspace agent token. */
    public static AgentClient connect(URI base, String agentToken) {
        return new AgentClient(base, agentToken, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .build());
    }

    /** Registers with {@code card} and renews the lease every third of it until {@link #close}. */
    public synchronized Registration register(AgentCard agentCard) {
        this.card = agentCard;
        this.registration = registerAs(null);
        long every = Math.max(1, registration.leaseSeconds() * 1000 / 3);
        renewals = timer.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
        return registration;
    }

    public Registration registration() {
        return registration;
    }

    private Registration registerAs(String agentId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("card", card);
        if (agentId != null) {
            body.put("agentId", agentId);
        }
        JsonNode out = send("POST", "/v1/agents", body, Duration.ofSeconds(10)).orElseThrow();
        return new Registration(out.get("agentId").asText(), out.get("epoch").asLong(),
                Instant.parse(out.get("leaseExpiresAt").asText()), out.get("leaseSeconds").asLong());
    }

    private void renew() {
        Registration r = registration;
        try {
            JsonNode out = send("PUT", "/v1/agents/" + r.agentId() + "/lease", Map.of("epoch", r.epoch()),
                    Duration.ofSeconds(10)).orElseThrow();
            registration = new Registration(r.agentId(), r.epoch(), Instant.parse(out.get("leaseExpiresAt")
                    .asText()), r.leaseSeconds());
        } catch (RegistryException e) {
            if (e.status() == 409 && !closed) {
                // the lease was lost (a long pause, a partition): what this registration held is gone; start again
                registration = registerAs(r.agentId());
                LOG.info(() -> "agent " + r.agentId() + " registered again at epoch " + registration.epoch());
            } else {
                LOG.log(Level.WARNING, "lease renewal refused", e);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "lease renewal failed; trying again at the next turn", e);
        }
    }

    /** Claims a task of {@code skills}, waiting up to {@code wait} (at most 25 s) for one to arrive. */
    public Optional<ClaimedTask> claim(List<String> skills, Duration wait) {
        Registration r = registration;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agentId", r.agentId());
        body.put("epoch", r.epoch());
        body.put("skills", skills);
        body.put("waitSeconds", wait.toMillis() / 1000.0);
        return send("POST", "/v1/tasks:claim", body, wait.plusSeconds(10)).map(out -> {
            JsonNode t = out.get("task");
            return new ClaimedTask(t.get("id").asText(), t.get("skill").asText(), t.get("input"),
                    t.get("priority").asInt(), t.get("attempts").asInt(),
                    Instant.parse(t.at("/claim/claimedAt").asText()), Instant.parse(t.at("/claim/expiresAt").asText()));
        });
    }

    /** Extends the claim on {@code taskId}; false when the task is no longer this agent's. */
    public boolean heartbeat(String taskId) {
        return act(taskId, "heartbeat", Map.of());
    }

    /** Completes {@code taskId} with {@code output}; false when refused (another holds it now, or it ended). */
    public boolean complete(String taskId, Object output) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("output", output);
        return act(taskId, "complete", extra);
    }

    /** Fails this attempt at {@code taskId}; the registry retries it while attempts remain and {@code retry}. */
    public boolean fail(String taskId, String error, boolean retry) {
        return act(taskId, "fail", Map.of("error", error == null ? "failed" : error, "retry", retry));
    }

    /** Submits a task (an agent delegating work); returns its id. */
    public String submit(String skill, Object input, int priority, String idempotencyKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("skill", skill);
        body.put("input", input);
        body.put("priority", priority);
        HttpRequest.Builder b = request("/v1/tasks", Duration.ofSeconds(10));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        b.POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).header("Content-Type", "application/json");
        return exchange(b).orElseThrow().at("/task/id").asText();
    }

    private boolean act(String taskId, String verb, Map<String, Object> extra) {
        Registration r = registration;
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("agentId", r.agentId());
        body.put("epoch", r.epoch());
        try {
            send("POST", "/v1/tasks/" + taskId + ":" + verb, body, Duration.ofSeconds(10));
            return true;
        } catch (RegistryException e) {
            if (e.status() == 409) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The claim loop: claims tasks of {@code skills} with long-polls until {@link #close}, runs {@code handler} on
     * each while heartbeating a third of the way through every claim period, then completes or fails it.
     */
    public void run(List<String> skills, Handler handler) {
        while (!closed) {
            Optional<ClaimedTask> claimed;
            try {
                claimed = claim(skills, Duration.ofSeconds(20));
            } catch (RegistryException e) {
                if (closed) {
                    return; // deregistered while this claim waited
                }
                if (e.status() == 409) {
                    continue; // the lease was lost and is being renewed; claim with the new epoch
                }
                throw e;
            }
            if (claimed.isEmpty()) {
                continue;
            }
            ClaimedTask task = claimed.get();
            // the registry's times only: comparing its expiry with this machine's clock would heartbeat far too
            // often or too late whenever the two clocks differ
            long period = Math.max(1, task.claimPeriod().toMillis() / 3);
            ScheduledFuture<?> beat = timer.scheduleAtFixedRate(() -> heartbeat(task.id()), period, period,
                    TimeUnit.MILLISECONDS);
            try {
                Object output = handler.handle(task);
                beat.cancel(false);
                complete(task.id(), output);
            } catch (Exception e) {
                beat.cancel(false);
                boolean interrupted = e instanceof InterruptedException;
                try {
                    fail(task.id(), String.valueOf(e.getMessage()), true);
                } finally {
                    if (interrupted) {
                        // Set again after the task was handed back (an interrupted thread sends nothing): whoever
                        // interrupted this thread asked it to stop, and still sees why.
                        Thread.currentThread().interrupt();
                    }
                }
                if (interrupted) {
                    return; // claims no more
                }
            }
        }
    }

    /** Stops renewing and deregisters. */
    @Override
    public void close() {
        closed = true;
        if (renewals != null) {
            renewals.cancel(false);
        }
        timer.shutdownNow();
        Registration r = registration;
        if (r != null) {
            try {
                send("DELETE", "/v1/agents/" + r.agentId() + "?epoch=" + r.epoch(), null, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "deregistration failed; the lease will run out", e);
            }
        }
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Authorization", "Bearer " + token);
    }

    private Optional<JsonNode> send(String method, String path, Object body, Duration timeout) {
        HttpRequest.Builder b = request(path, timeout);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        }
        return exchange(b);
    }

    private Optional<JsonNode> exchange(HttpRequest.Builder b) {
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 204) {
                return Optional.empty();
            }
            JsonNode body = r.body().length == 0 ? null : Json.mapper().readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new RegistryException(r.statusCode(), body == null ? "" : body.path("code").asText(),
                        body == null ? "" : body.path("detail").asText());
            }
            return Optional.ofNullable(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the registry is unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
