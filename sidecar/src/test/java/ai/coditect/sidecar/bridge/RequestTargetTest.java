package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.testing.EchoBackend;
import ai.coditect.sidecar.testing.RawHttp;
import ai.coditect.sidecar.testing.SidecarFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing in a request can send the sidecar anywhere but its own backends: only origin-form request targets are
 * served, and requests it cannot parse or handle are answered with problem+json (never a 500) and counted.
 */
class RequestTargetTest {
    private static SidecarFixture fixture;
    private static EchoBackend decoy;

    @BeforeAll
    static void start() throws Exception {
        fixture = SidecarFixture.start();
        decoy = EchoBackend.start("another local service");
    }

    @AfterAll
    static void stop() {
        fixture.close();
        decoy.close();
    }

    /** Request lines that are no path on this server, each aimed at the decoy's port where it names one. */
    private static List<String[]> hostileTargets() {
        int d = decoy.port();
        return List.of(
                new String[] {"GET", "http:@127.0.0.1:" + d + "/x"},
                new String[] {"GET", "http://127.0.0.1:" + d + "/x"},
                new String[] {"GET", "http://127.0.0.1:" + d + "/echo-headers?a=1"},
                new String[] {"POST", "https://127.0.0.1:" + d + "/upload"},
                new String[] {"GET", "@127.0.0.1:" + d + "/x"},
                new String[] {"GET", "127.0.0.1:" + d + "/x"},
                new String[] {"CONNECT", "127.0.0.1:" + d},
                new String[] {"OPTIONS", "*"},
                new String[] {"GET", "*"},
                new String[] {"GET", "/a b"},
                new String[] {"GET", "/%zz"},
                new String[] {"GET", "/x|y"},
                new String[] {"GET", "/x{y}"});
    }

    /** A WebSocket upgrade to an absolute-form target, which Helidon fails on in its own route matching. */
    private static RawHttp.Response hostileUpgrade(String auth) throws Exception {
        return RawHttp.send(fixture.sidecar.port(), "GET", "http:@127.0.0.1:" + decoy.port() + "/ws", auth,
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    }

    @Test
    void requestTargetsThatAreNotAPathAreRefusedAndReachNoOtherPort() throws Exception {
        String auth = "Authorization: Bearer " + fixture.token();
        List<String[]> requests = hostileTargets();
        long refusedBefore = fixture.sidecar.metrics().errors("bad_request_target");
        int theiaBefore = fixture.theia.httpRequests.get();
        int absolute = 0;
        for (String[] r : requests) {
            RawHttp.Response answer = RawHttp.send(fixture.sidecar.port(), r[0], r[1], auth);
            System.out.printf("%s %-45s -> %d %s%n", r[0], r[1], answer.status(), answer.body());
            assertEquals(400, answer.status(), r[0] + " " + r[1] + ": " + answer.body());
            assertTrue(answer.header("content-type").orElse("").startsWith("application/problem+json"),
                    r[0] + " " + r[1] + ": " + answer.headers());
            if (answer.body().contains("bad_request_target")) {
                absolute++;
            }
        }
        RawHttp.Response upgrade = hostileUpgrade(auth);
        assertEquals(400, upgrade.status(), upgrade.body());
        assertTrue(upgrade.header("content-type").orElse("").startsWith("application/problem+json"));
        if (upgrade.body().contains("bad_request_target")) {
            absolute++;
        }
        assertEquals(0, decoy.httpRequests.get(), "no request reached another local port");
        assertEquals(0, decoy.upgrades.get(), "no upgrade reached another local port");
        assertEquals(theiaBefore, fixture.theia.httpRequests.get(), "nor Theia");
        assertTrue(absolute >= 6, "absolute-form, authority-form and * are refused by the sidecar itself");
        assertEquals(absolute, fixture.sidecar.metrics().errors("bad_request_target") - refusedBefore);

        HttpResponse<String> metrics = fixture.http.send(HttpRequest.newBuilder(fixture.managementUrl("/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("coditect_sidecar_errors_total{code=\"bad_request_target\"}"),
                "bad requests are counted where operators look");

        RawHttp.Response fine = RawHttp.send(fixture.sidecar.port(), "GET", "/still/served", auth);
        assertEquals(200, fine.status(), "and the sidecar goes on serving");
    }

    @Test
    void badRequestsAreCountedWithoutAWarningInTheLog() throws Exception {
        String auth = "Authorization: Bearer " + fixture.token();
        Logger root = Logger.getLogger("");
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        long errorsBefore = fixture.sidecar.metrics().errors("bad_request_target")
                + fixture.sidecar.metrics().errors("bad_request");
        int sent = 0;
        root.addHandler(capture);
        try {
            // Helidon reports a request it refuses before answering it, so each record is in by the time the
            // answer is read.
            for (String[] r : hostileTargets()) {
                assertEquals(400, RawHttp.send(fixture.sidecar.port(), r[0], r[1], auth).status(), r[0] + " " + r[1]);
                sent++;
            }
            assertEquals(400, hostileUpgrade(auth).status());
            sent++;
        } finally {
            root.removeHandler(capture);
        }
        assertEquals(List.of(), warnings.stream().map(w -> w.getLoggerName() + ": " + w.getLevel() + " "
                + w.getMessage() + (w.getThrown() == null ? "" : " " + w.getThrown())).toList(),
                "a bad request is the client's mistake, not the operator's: nothing at WARNING or above");
        assertEquals(sent, fixture.sidecar.metrics().errors("bad_request_target")
                + fixture.sidecar.metrics().errors("bad_request") - errorsBefore, "each bad request is counted");
    }
}
