package ai.coditect.sidecar.management;

import ai.coditect.sidecar.testing.Recorder;
import ai.coditect.sidecar.testing.SidecarFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagementTest {
    private SidecarFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = SidecarFixture.start();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private HttpResponse<String> management(String path) throws Exception {
        return fixture.http.send(HttpRequest.newBuilder(fixture.managementUrl(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndReadinessReflectTheProcessAndItsBackends() throws Exception {
        assertEquals(200, management("/healthz").statusCode());
        HttpResponse<String> ready = management("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        fixture.codi2.close();
        HttpResponse<String> withoutCodi2 = management("/readyz");
        assertEquals(200, withoutCodi2.statusCode(), "the IDE loads without CODI2: " + withoutCodi2.body());
        assertTrue(withoutCodi2.body().contains("\"codi2\":\"down\""), withoutCodi2.body());
        fixture.theia.close();
        HttpResponse<String> notReady = management("/readyz");
        assertEquals(503, notReady.statusCode());
        assertTrue(notReady.body().contains("\"theia\":\"down\""), notReady.body());
        assertEquals(200, management("/healthz").statusCode(), "the process itself is still up");
    }

    @Test
    void metricsCountConnectionsFramesBytesRefusalsAndLatency() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket ws = fixture.connect("/metered", recorder);
        ws.sendText("hello", true);
        assertEquals("hello", recorder.nextText());
        fixture.get("/index.html", null);
        fixture.get("/index.html", fixture.token());
        String metrics = management("/metrics").body();
        assertTrue(metrics.contains("coditect_sidecar_open_connections{backend=\"theia\"} 1"), metrics);
        assertTrue(metrics.contains("coditect_sidecar_frames_total{direction=\"client_to_backend\"} 1"), metrics);
        assertTrue(metrics.contains("coditect_sidecar_frames_total{direction=\"backend_to_client\"} 1"), metrics);
        assertTrue(metrics.contains("coditect_sidecar_auth_refusals_total{reason=\"token_invalid\"} 1"), metrics);
        assertTrue(metrics.contains("coditect_sidecar_relay_latency_seconds_bucket"), metrics);
        assertTrue(metrics.contains("coditect_sidecar_bytes_total"), metrics);
        ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    }
}
