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

    @Test
    void requestTargetsThatAreNotAPathAreRefusedAndReachNoOtherPort() throws Exception {
        int d = decoy.port();
        String auth = "Authorization: Bearer " + fixture.token();
        List<String[]> requests = List.of(
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
        RawHttp.Response upgrade = RawHttp.send(fixture.sidecar.port(), "GET", "http:@127.0.0.1:" + d + "/ws", auth,
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
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
}
