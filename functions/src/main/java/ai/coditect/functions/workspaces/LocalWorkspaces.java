package ai.coditect.functions.workspaces;

import ai.coditect.shared.logging.LogFields;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Workspaces of the local platform ({@code ./coditect dev} without a cluster): each workspace is a sidecar
 * process on free local ports, in front of the Theia and CODI2 named by {@code THEIA_URL} and {@code CODI2_URL}.
 * Same lifecycle as on Kubernetes; the processes end with the platform.
 */
public final class LocalWorkspaces implements WorkspaceBackend, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalWorkspaces.class.getName());

    private record Running(Process process, int port, int managementPort) {
    }

    private final WorkspacesConfig config;
    private final Path logDir;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    public LocalWorkspaces(WorkspacesConfig config, Path logDir) {
        this.config = config;
        this.logDir = logDir;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public synchronized Applied apply(Workspace ws, String proposedAgentToken) throws WorkspaceBackendException {
        Running r = running.get(ws.userId());
        if (r != null && r.process().isAlive()) {
            return applied(r, proposedAgentToken);
        }
        if (!Files.isRegularFile(config.sidecarJar())) {
            throw new WorkspaceBackendException("The local workspace needs the sidecar, which is not built yet ("
                    + config.sidecarJar() + "): run ./coditect build.", false, null);
        }
        try {
            int port = freePort();
            int management = freePort();
            Files.createDirectories(logDir);
            String platform = config.platformUrl().toString().replaceAll("/+$", "");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", config.sidecarJar().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(logDir.resolve("workspace-" + ws.userId() + ".log").toFile());
            Map<String, String> env = pb.environment();
            env.put("HOST", "127.0.0.1");
            env.put("PORT", Integer.toString(port));
            env.put("MANAGEMENT_PORT", Integer.toString(management));
            env.put("THEIA_URL", config.localTheiaUrl().toString());
            env.put("CODI2_URL", config.localCodi2Url().toString());
            env.put("CODITECT_OWNER_USER_ID", ws.userId());
            env.put("CODITECT_OWNER_TENANT_ID", ws.tenantId());
            env.put("CODITECT_ISSUER", platform);
            env.put("CODITECT_JWKS_URL", platform + "/.well-known/jwks.json");
            env.put("CODITECT_SESSION_URL", platform + "/v1/auth/session");
            env.put("CODITECT_ACTIVITY_URL", platform + "/v1/workspaces/activity");
            env.put("CODITECT_AGENT_TOKEN", proposedAgentToken);
            Running started = new Running(pb.start(), port, management);
            running.put(ws.userId(), started);
            LogFields.of("userId", ws.userId(), "port", port).log(LOG, Level.INFO, "local workspace started");
            return applied(started, proposedAgentToken);
        } catch (IOException e) {
            throw new WorkspaceBackendException("The local workspace could not be started: " + e.getMessage(), true, e);
        }
    }

    private static Applied applied(Running r, String token) {
        return new Applied("local", "pid-" + r.process().pid(), "127.0.0.1:" + r.port(),
                "http://127.0.0.1:" + r.port() + "/", token);
    }

    @Override
    public PodState podState(Workspace ws) {
        Running r = running.get(ws.userId());
        if (r == null || !r.process().isAlive()) {
            return PodState.of(PodState.Phase.MISSING);
        }
        if (status(r.managementPort(), "/healthz") != 200) {
            return PodState.of(PodState.Phase.SCHEDULED);
        }
        boolean backends = status(r.managementPort(), "/readyz") == 200;
        return new PodState(PodState.Phase.READY, backends ? null : "Running locally; Theia (" + config.localTheiaUrl()
                + ") or CODI2 (" + config.localCodi2Url() + ") is not running, so the IDE will not load until it is.");
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public void stop(Workspace ws) {
        Running r = running.remove(ws.userId());
        if (r != null) {
            r.process().destroy();
            try {
                if (!r.process().waitFor(15, TimeUnit.SECONDS)) {
                    r.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                r.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void delete(Workspace ws) {
        stop(ws);
    }

    @Override
    public void close() {
        for (Running r : running.values()) {
            r.process().destroy();
        }
        running.clear();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
