package ai.coditect.sidecar.activity;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the platform the workspace is in use, so that it is not stopped as idle: client frames and HTTP requests
 * only note the time ({@link #touch()}, one write), and {@link #report()} — run at most once a minute — sends the
 * latest time with the workspace agent token. A failed report is retried at the next run; it never touches
 * traffic.
 */
public final class ActivityReporter {
    private static final Logger LOG = Logger.getLogger(ActivityReporter.class.getName());

    private final Supplier<HttpClient> http;
    private final URI activityUrl;
    private final String agentToken;
    private final Clock clock;
    private final AtomicLong lastActivity = new AtomicLong();
    private volatile long lastReported;

    public ActivityReporter(Supplier<HttpClient> http, URI activityUrl, String agentToken, Clock clock) {
        this.http = http;
        this.activityUrl = activityUrl;
        this.agentToken = agentToken;
        this.clock = clock;
    }

    public void touch() {
        long now = clock.millis();
        // every frame of every socket comes here, from every relay thread: writing only when the time moved keeps
        // them from passing the one cache line between cores on each frame
        if (lastActivity.get() != now) {
            lastActivity.set(now);
        }
    }

    /** Sends the latest activity if there is any since the last successful report; true when sent or nothing to do. */
    public boolean report() {
        long latest = lastActivity.get();
        if (latest <= lastReported) {
            return true;
        }
        HttpRequest request = HttpRequest.newBuilder(activityUrl)
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(
                        Map.of("lastActivityAt", Instant.ofEpochMilli(latest).toString()))))
                .build();
        try {
            HttpResponse<Void> response = http.get().send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                lastReported = latest;
                return true;
            }
            LogFields.of("status", response.statusCode()).log(LOG, Level.WARNING,
                    "the platform refused the activity report; it is retried at the next run");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "activity report failed; it is retried at the next run: " + e);
        }
        return false;
    }

    public Instant lastActivity() {
        return Instant.ofEpochMilli(lastActivity.get());
    }
}
