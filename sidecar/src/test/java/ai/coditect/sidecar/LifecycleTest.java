package ai.coditect.sidecar;

import ai.coditect.shared.testing.Eventually;
import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shutdown, keep-alive pings and activity reports. */
class LifecycleTest {
    private SidecarFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shutdownClosesSocketsWith1001AndLetsRunningRequestsFinish() throws Exception {
        fixture = SidecarFixture.start();
        Recorder recorder = new Recorder();
        fixture.connect("/socket", recorder);
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return fixture.get("/slow", fixture.token());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500); // the slow request is in flight
        CompletableFuture<Void> closing = CompletableFuture.runAsync(fixture.sidecar::close);
        assertTrue(recorder.awaitClose().startsWith("1001:"));
        HttpResponse<String> finished = slow.get(15, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("slow answer", finished.body());
        closing.get(15, TimeUnit.SECONDS);
    }

    @Test
    void idleSocketsArePingedToKeepProxiesFromTimingThemOut() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_PING_INTERVAL", "300ms");
            return env;
        });
        Recorder recorder = new Recorder();
        fixture.connect("/quiet", recorder);
        byte[] ping = recorder.pings.poll(10, TimeUnit.SECONDS);
        assertEquals("coditect-keepalive", new String(ping));
    }

    @Test
    void activityIsReportedWithTheAgentTokenAndAFailedReportIsRetried() throws Exception {
        fixture = SidecarFixture.start(env -> {
            env.put("CODITECT_ACTIVITY_INTERVAL", "200ms");
            return env;
        });
        fixture.platform.activityAnswers(503);
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/busy", recorder);
        ws.sendText("typing", true);
        assertEquals("typing", recorder.nextText());
        Thread.sleep(800);
        assertTrue(fixture.platform.activityReports.isEmpty(), "the platform refused every report so far");
        fixture.platform.activityAnswers(204);
        Eventually.holds(Duration.ofSeconds(10), () -> !fixture.platform.activityReports.isEmpty());
        assertEquals(1, fixture.platform.activityReports.size(), "the failed report was sent again");
        assertTrue(fixture.platform.activityReports.getFirst().contains("lastActivityAt"));
        Thread.sleep(800);
        assertEquals(1, fixture.platform.activityReports.size(), "no activity since, no new report");
    }
}
