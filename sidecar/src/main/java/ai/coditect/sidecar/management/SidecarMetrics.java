package ai.coditect.sidecar.management;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The sidecar's Prometheus metrics, served on the management port at {@code /metrics}. */
public final class SidecarMetrics {
    public static final String TO_BACKEND = "client_to_backend";
    public static final String TO_CLIENT = "backend_to_client";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge openConnections = Gauge.builder().name("coditect_sidecar_open_connections")
            .help("Open WebSocket connections per backend").labelNames("backend").register(registry);
    // the relay's metrics are counted for every frame and keep no exemplars: nothing traces the relay, and
    // sampling exemplars costs a clock read and a lookup on every frame
    private final Counter frames = Counter.builder().name("coditect_sidecar_frames_total")
            .help("WebSocket frames relayed per direction").labelNames("direction").withoutExemplars()
            .register(registry);
    private final Counter bytes = Counter.builder().name("coditect_sidecar_bytes_total")
            .help("Bytes relayed per direction (WebSocket payloads and HTTP bodies)").labelNames("direction")
            .withoutExemplars().register(registry);
    private final Counter refusals = Counter.builder().name("coditect_sidecar_auth_refusals_total")
            .help("Requests and upgrades refused, by reason").labelNames("reason").register(registry);
    private final Counter backendErrors = Counter.builder().name("coditect_sidecar_backend_errors_total")
            .help("Failures reaching or talking to a backend").labelNames("backend").register(registry);
    private final Counter httpRequests = Counter.builder().name("coditect_sidecar_http_requests_total")
            .help("HTTP requests proxied, by backend and status class").labelNames("backend", "status")
            .register(registry);
    private final Counter errors = Counter.builder().name("coditect_sidecar_errors_total")
            .help("Requests the sidecar could not parse or failed on, by problem code").labelNames("code")
            .register(registry);
    private final Counter sessionsEnded = Counter.builder().name("coditect_sidecar_sessions_ended_total")
            .help("Sessions found revoked, expired or invalid whose open sockets were closed").labelNames("state")
            .register(registry);
    private final Histogram relayLatency = Histogram.builder().name("coditect_sidecar_relay_latency_seconds")
            .help("Time to pass on what one read from a peer brought (one or more frames, or part of one), by direction").labelNames("direction")
            // classic buckets only: the native histogram kept beside them boxes and maps a bucket index per frame
            .classicOnly().classicExponentialUpperBounds(0.00005, 2, 16).withoutExemplars().register(registry);

    // the relay's data points, looked up once: they are counted for every frame
    private final CounterDataPoint framesToBackend = frames.labelValues(TO_BACKEND);
    private final CounterDataPoint framesToClient = frames.labelValues(TO_CLIENT);
    private final CounterDataPoint bytesToBackend = bytes.labelValues(TO_BACKEND);
    private final CounterDataPoint bytesToClient = bytes.labelValues(TO_CLIENT);
    private final DistributionDataPoint latencyToBackend = relayLatency.labelValues(TO_BACKEND);
    private final DistributionDataPoint latencyToClient = relayLatency.labelValues(TO_CLIENT);

    public PrometheusRegistry registry() {
        return registry;
    }

    public void opened(String backend) {
        openConnections.labelValues(backend).inc();
    }

    public void closed(String backend) {
        openConnections.labelValues(backend).dec();
    }

    /** One WebSocket frame's header passed in this direction, with the length of its payload. */
    public void frame(String direction, long payloadBytes) {
        boolean toBackend = TO_BACKEND.equals(direction);
        (toBackend ? framesToBackend : framesToClient).inc();
        (toBackend ? bytesToBackend : bytesToClient).inc(payloadBytes);
    }

    /** The time to pass on what one read from a peer brought, which may be several frames or part of one. */
    public void relayTime(String direction, long nanos) {
        (TO_BACKEND.equals(direction) ? latencyToBackend : latencyToClient).observe(nanos / 1e9);
    }

    public void bodyBytes(String direction, long count) {
        bytes.labelValues(direction).inc(count);
    }

    public void refused(String reason) {
        refusals.labelValues(reason).inc();
    }

    public void backendError(String backend) {
        backendErrors.labelValues(backend).inc();
    }

    public void error(String code) {
        errors.labelValues(code).inc();
    }

    /** How many requests were answered with this error code so far. */
    public long errors(String code) {
        return (long) errors.labelValues(code).get();
    }

    public void sessionEnded(String state) {
        sessionsEnded.labelValues(state).inc();
    }

    /** How many requests or upgrades were refused for this reason so far. */
    public long refusals(String reason) {
        return (long) refusals.labelValues(reason).get();
    }

    public void httpRequest(String backend, int status) {
        httpRequests.labelValues(backend, (status / 100) + "xx").inc();
    }
}
