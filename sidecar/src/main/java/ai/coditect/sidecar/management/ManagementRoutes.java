package ai.coditect.sidecar.management;

import ai.coditect.shared.json.FlatJson;
import ai.coditect.sidecar.bridge.Targets;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The management port (9090 by default), which is never exposed publicly: {@code /healthz} (the process is up),
 * {@code /readyz} (Theia accepts connections, so the IDE loads; CODI2's state is reported beside it, because the
 * IDE works without it) and {@code /metrics} (Prometheus).
 */
public final class ManagementRoutes {
    private final Targets targets;
    private final SidecarMetrics metrics;

    public ManagementRoutes(Targets targets, SidecarMetrics metrics) {
        this.targets = targets;
        this.metrics = metrics;
    }

    public void routing(HttpRouting.Builder routing) {
        routing.get("/healthz", (req, res) -> json(res, 200, Map.of("status", "up")))
                .get("/readyz", this::ready)
                .get("/metrics", this::metrics);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean theia = reachable(targets.theiaUrl());
        checks.put("theia", theia ? "up" : "down");
        checks.put("codi2", targets.codi2Url().map(u -> reachable(u) ? "up" : "down").orElse("not configured"));
        boolean ready = theia;
        checks.put("status", ready ? "ready" : "not ready");
        json(res, ready ? 200 : 503, checks);
    }

    private void metrics(ServerRequest req, ServerResponse res) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        res.header(HeaderNames.CONTENT_TYPE, PrometheusTextFormatWriter.CONTENT_TYPE);
        res.send(out.toByteArray());
    }

    /** A backend is ready when it accepts a TCP connection within a second. */
    static boolean reachable(URI url) {
        int port = url.getPort() != -1 ? url.getPort()
                : (url.getScheme().equals("https") || url.getScheme().equals("wss") ? 443 : 80);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(url.getHost(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // FlatJson: the probes answer from the first second on, and an idle sidecar loads no databind for them
    private static void json(ServerResponse res, int status, Map<String, ?> body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(FlatJson.bytes(body));
    }
}
