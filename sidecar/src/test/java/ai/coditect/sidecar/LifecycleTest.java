package ai.coditect.sidecar;

import ai.coditect.shared.testing.TestClock;
import ai.coditect.sidecar.bridge.HostHeader;
import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Setup, shutdown, keep-alive pings and activity reports. */
class LifecycleTest {
    private SidecarFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void setupChangesNothingOutsideTheServerItConfigures() throws Exception {
        String before = System.getProperty(HostHeader.PROPERTY);
        HostHeader.mayBeSent(); // the JDK reads the property once; the other tests need it read as set
        System.clearProperty(HostHeader.PROPERTY);
        try {
            fixture = SidecarFixture.start();
            assertNull(System.getProperty(HostHeader.PROPERTY), "setup set a JVM-wide property");
            assertEquals(200, fixture.get("/index.html", fixture.token()).statusCode());
        } finally {
            if (before != null) {
                System.setProperty(HostHeader.PROPERTY, before);
            }
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
        assertTrue(fixture.theia.slowStarted.await(30, TimeUnit.SECONDS), "the slow request is in flight");
        CompletableFuture<Void> closing = CompletableFuture.runAsync(fixture.sidecar::close);
        assertTrue(recorder.awaitClose().startsWith("1001:"));
        HttpResponse<String> finished = slow.get(15, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("slow answer", finished.body());
        closing.get(15, TimeUnit.SECONDS);
    }

    @Test
    void idleSocketsArePingedEveryTwentySecondsToKeepProxiesFromTimingThemOut() throws Exception {
        TestClock clock = TestClock.atNow();
        fixture = SidecarFixture.start(env -> env, clock);
        Recorder recorder = new Recorder();
        fixture.connect("/quiet", recorder);
        clock.advance(Duration.ofSeconds(20).minusMillis(1));
        fixture.sidecar.runDueTasks();
        clock.advance(Duration.ofMillis(1));
        fixture.sidecar.runDueTasks();
        byte[] ping = recorder.pings.poll(30, TimeUnit.SECONDS);
        assertEquals("coditect-keepalive", ping == null ? null : new String(ping));
        assertEquals(0, recorder.pings.size(), "one ping, at 20 s, not one before");
    }

    @Test
    void activityIsReportedWithTheAgentTokenAndAFailedReportIsRetried() throws Exception {
        TestClock clock = TestClock.atNow();
        fixture = SidecarFixture.start(env -> env, clock);
        fixture.platform.activityAnswers(503);
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/busy", recorder);
        Instant typedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ws.sendText("typing", true);
        assertEquals("typing", recorder.nextText());

        clock.advance(Duration.ofMinutes(1));
        fixture.sidecar.runDueTasks();
        assertEquals(List.of(503), fixture.platform.activityAttempts, "one report a minute, refused");
        assertTrue(fixture.platform.activityReports.isEmpty());

        fixture.platform.activityAnswers(204);
        clock.advance(Duration.ofMinutes(1));
        fixture.sidecar.runDueTasks();
        assertEquals(List.of(503, 204), fixture.platform.activityAttempts, "the refused report was sent again");
        assertEquals(1, fixture.platform.activityReports.size());
        assertTrue(fixture.platform.activityReports.getFirst().contains(typedAt.toString()),
                fixture.platform.activityReports.getFirst());

        clock.advance(Duration.ofMinutes(1));
        fixture.sidecar.runDueTasks();
        assertEquals(List.of(503, 204), fixture.platform.activityAttempts, "no activity since, no new report");
    }
}
