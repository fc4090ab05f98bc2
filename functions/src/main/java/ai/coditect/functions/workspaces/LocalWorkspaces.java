package ai.coditect.functions.workspaces;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.logging.LogFields;

import ai.coditect.shared.net.FreePorts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Workspaces of the local platform ({@code ./coditect dev} without a cluster): each running workspace is a sidecar
 * in the one sidecar host process (see {@link LocalSidecarHost}) and its own IDE (see {@link LocalIde}) on loopback
 * ports, over its own folder {@code <home>/<workspace id>/project}. Each keeps its ports while they are free: a
 * workspace that was running when the platform or the sidecar host stopped comes back, at the same URL, when it
 * starts again.
 */
public final class LocalWorkspaces implements WorkspaceBackend, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalWorkspaces.class.getName());
    private static final Duration GRACE = Duration.ofSeconds(10);
    /** One JVM for every workspace's sidecar; a host that runs out of memory ends, and is started again. */
    private static final List<String> HOST_JVM_OPTIONS = List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError");
    /** The sidecar's settings a hosted sidecar takes from the platform's environment, as a sidecar process would. */
    private static final List<String> INHERITED = List.of("CODITECT_AUDIENCE", "CODITECT_ALLOWED_ORIGINS",
            "CODITECT_PUBLIC_SCHEME", "CODITECT_SIGN_IN_URL", "CODITECT_COOKIE_SAMESITE", "CODITECT_PING_INTERVAL",
            "CODITECT_IDLE_TIMEOUT", "CODITECT_MAX_CONNECTIONS", "CODITECT_MAX_FRAME_BYTES", "CODITECT_BACKEND_TIMEOUT",
            "CODITECT_SESSION_RECHECK", "CODITECT_SESSION_CACHE_ACTIVE", "CODITECT_SESSION_CACHE_INACTIVE",
            "CODITECT_ACTIVITY_INTERVAL");
    /** A host that dies within this time of its start is started again only after a growing pause. */
    private static final Duration SHORT_LIFE = Duration.ofSeconds(30);

    /** A workspace's ports; kept in its folder so it comes back at the same URL. */
    record Ports(int sidecar, int management, int ide) {
    }

    /**
     * What the folder remembers of a workspace: who owns it, its ports, its agent token, whether it runs, and the
     * process ids it ran as (so a platform that died without stopping them can end them when it starts again).
     */
    record State(String workspaceId, String tenantId, String userId, Ports ports, String agentToken, boolean running,
                 List<Long> processes) {
        State stopped() {
            return new State(workspaceId, tenantId, userId, ports, agentToken, false, processes);
        }

        State runningAs(List<Long> pids) {
            return new State(workspaceId, tenantId, userId, ports, agentToken, running, pids);
        }
    }

    /**
     * A running workspace: its sidecar in the host and its IDE process, which starts once the IDE is built, so it may
     * come later than the sidecar. {@code sidecarProblem} says why a restarted host could not bring its sidecar back.
     */
    private static final class Running {
        final State state;
        Process ide;
        String ideProblem;
        volatile String sidecarProblem;
        boolean stopped;

        Running(State state) {
            this.state = state;
        }
    }

    private final WorkspacesConfig config;
    private final Path logDir;
    private final Path home;
    private final LocalIde ide;
    private final String webOrigin;
    private final Map<String, String> environment;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** One lock per user: workspaces start side by side, each workspace's start and stop one at a time. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    // HTTP/1.1: an h2c upgrade request would be taken by Theia's WebSocket upgrade handler and never answered
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private final LocalSidecarHost host;
    private int shortLivedHosts;

    /** Workspaces in front of the one Theia at {@code config.localTheiaUrl()}, kept under {@code logDir}. */
    public LocalWorkspaces(WorkspacesConfig config, Path logDir) {
        this(config, logDir, logDir.resolve("workspaces"), LocalIde.shared(config.localTheiaUrl()),
                config.platformUrl().toString());
    }

    /** Hosted sidecars take their settings from this process's environment, as sidecar processes inherited it. */
    public LocalWorkspaces(WorkspacesConfig config, Path logDir, Path home, LocalIde ide, String webOrigin) {
        this(config, logDir, home, ide, webOrigin, System.getenv());
    }

    LocalWorkspaces(WorkspacesConfig config, Path logDir, Path home, LocalIde ide, String webOrigin,
                    Map<String, String> environment) {
        this.config = config;
        this.logDir = logDir;
        this.home = home;
        this.ide = ide;
        this.webOrigin = webOrigin.replaceAll("/+$", "");
        this.environment = Map.copyOf(environment);
        // its own client: a busy host may take longer to accept than the 1 s that a status check waits
        HttpClient control = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        this.host = new LocalSidecarHost(config.sidecarJar(), logDir.resolve("sidecar-host.log"), HOST_JVM_OPTIONS,
                control, this::hostEnded);
    }

    /**
     * The backend of {@code ./coditect dev}: the IDE from the environment (see {@link LocalIde#of}),
     * workspaces under {@code <data dir>/workspaces}, the web app at {@code CODITECT_WEB_ORIGIN} (default: the
     * platform, which serves it). Starts building the IDE at once and brings back the workspaces that were running.
     */
    public static LocalWorkspaces create(WorkspacesConfig config, Path logDir) {
        Consumer<String> progress = line -> System.out.println("coditect: IDE: " + line);
        LocalIde ide = LocalIde.of(config.local(), progress);
        String origin = config.local().webOrigin();
        Path dataDir = logDir.toAbsolutePath().getParent();
        LocalWorkspaces backend = new LocalWorkspaces(config, logDir, dataDir.resolve("workspaces"), ide, origin);
        if (ide.mode() == LocalIde.Mode.BUILT) {
            ide.prepare().whenComplete((app, failure) -> {
                if (failure != null) {
                    progress.accept(failure.getMessage());
                }
            });
        }
        backend.restore();
        return backend;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Applied apply(Workspace ws, String proposedAgentToken) throws WorkspaceBackendException {
        synchronized (lockOf(ws.userId())) {
            return applyLocked(ws, proposedAgentToken);
        }
    }

    private Applied applyLocked(Workspace ws, String proposedAgentToken) throws WorkspaceBackendException {
        Running r = running.get(ws.userId());
        if (r != null && r.sidecarProblem == null && host.current() != null) {
            return applied(r); // a redelivered request: the running sidecar keeps the token it holds
        }
        if (r != null) {
            terminate(List.of(running.remove(ws.userId())), null);
        }
        if (!Files.isRegularFile(config.sidecarJar())) {
            throw new WorkspaceBackendException("The local workspace needs the sidecar, which is not built yet ("
                    + config.sidecarJar() + "): run ./coditect build.", false, null);
        }
        try {
            State previous = readState(ws.id());
            Ports ports = previous != null && free(previous.ports()) ? previous.ports() : newPorts();
            State state = new State(ws.id(), ws.tenantId(), ws.userId(), ports, proposedAgentToken, true, List.of());
            try {
                return applied(launch(state));
            } catch (LocalSidecarHost.NotStarted e) {
                if (!e.portTaken) {
                    throw e;
                }
                // taken between the check and the start: once more, on ports nobody remembers
                return applied(launch(new State(ws.id(), ws.tenantId(), ws.userId(), newPorts(),
                        proposedAgentToken, true, List.of())));
            }
        } catch (IOException e) {
            throw new WorkspaceBackendException("The local workspace could not be started: " + e.getMessage(), true, e);
        }
    }

    private Object lockOf(String userId) {
        return locks.computeIfAbsent(userId, k -> new Object());
    }

    /** Brings back the workspaces that were running when the platform stopped, on their ports if still free. */
    void restore() {
        if (!Files.isDirectory(home)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(home)) {
            for (Path dir : dirs.toList()) {
                State state = readState(dir.getFileName().toString());
                if (state == null || !state.running()) {
                    continue;
                }
                endLeftovers(state);
                if (!free(state.ports()) || !Files.isRegularFile(config.sidecarJar())) {
                    writeState(state.stopped()); // its URL is taken: it is started afresh, on new ports, when asked
                    continue;
                }
                try {
                    launch(state);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "could not restore the local workspace " + state.workspaceId(), e);
                    writeState(state.stopped());
                    continue;
                }
                LogFields.of("userId", state.userId(), "port", state.ports().sidecar()).log(LOG, Level.INFO,
                        "local workspace restored");
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not restore the local workspaces in " + home, e);
        }
    }

    private Running launch(State state) throws IOException {
        Path dir = home.resolve(state.workspaceId());
        Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(logDir);
        host.add(state.workspaceId(), sidecarEnvironment(state));
        Running r = new Running(state);
        running.put(state.userId(), r);
        writeState(state.runningAs(processes(r)));
        LogFields.of("userId", state.userId(), "port", state.ports().sidecar()).log(LOG, Level.INFO,
                "local workspace started");
        if (ide.mode() == LocalIde.Mode.BUILT) {
            ide.prepare().whenComplete((app, failure) -> startIde(r, dir, app, failure));
        }
        return r;
    }

    /** What a sidecar process of this workspace would read from its environment. */
    private Map<String, String> sidecarEnvironment(State state) {
        Map<String, String> env = new java.util.HashMap<>();
        for (String name : INHERITED) {
            String value = environment.get(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        String platform = config.platformUrl().toString().replaceAll("/+$", "");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(state.ports().sidecar()));
        env.put("MANAGEMENT_PORT", Integer.toString(state.ports().management()));
        env.put("THEIA_URL", ideUrl(state).toString());
        env.put("CODI2_URL", config.localCodi2Url().toString());
        env.put("CODITECT_OWNER_USER_ID", state.userId());
        env.put("CODITECT_OWNER_TENANT_ID", state.tenantId());
        env.put("CODITECT_ISSUER", platform);
        env.put("CODITECT_JWKS_URL", platform + "/.well-known/jwks.json");
        env.put("CODITECT_SESSION_URL", platform + "/v1/auth/session");
        env.put("CODITECT_ACTIVITY_URL", platform + "/v1/workspaces/activity");
        env.put("CODITECT_WEB_ORIGIN", webOrigin);
        env.put("CODITECT_AGENT_TOKEN", state.agentToken());
        return env;
    }

    /** The processes that serve workspace {@code r}: the sidecar host and its IDE, if started. */
    private List<Long> processes(Running r) {
        List<Long> pids = new ArrayList<>();
        Process h = host.current();
        if (h != null) {
            pids.add(h.pid());
        }
        synchronized (r) {
            if (r.ide != null) {
                pids.add(r.ide.pid());
            }
        }
        return pids;
    }

    /**
     * The sidecar host ended without being asked to: it is started again (after a growing pause when it keeps
     * dying young) and every running workspace's sidecar is put back on its ports. Until then their state says so.
     */
    private void hostEnded(Process dead, Duration lived) {
        LogFields.of("pid", dead.pid(), "exit", dead.exitValue(), "livedSeconds", lived.toSeconds())
                .log(LOG, Level.WARNING, "the sidecar host ended; starting it again");
        Thread.ofVirtual().name("coditect-sidecar-host-restart").start(() -> {
            long pause;
            synchronized (this) {
                shortLivedHosts = lived.compareTo(SHORT_LIFE) < 0 ? shortLivedHosts + 1 : 0;
                pause = shortLivedHosts == 0 ? 0 : Math.min(60_000L, 1_000L << Math.min(shortLivedHosts, 6));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            restartHost();
        });
    }

    private synchronized void restartHost() {
        if (running.isEmpty() || host.current() != null) {
            return; // nothing to bring back, or an apply has started a host already (and put its sidecar back)
        }
        for (Running r : running.values()) {
            try {
                host.add(r.state.workspaceId(), sidecarEnvironment(r.state));
                r.sidecarProblem = null;
                writeState(r.state.runningAs(processes(r)));
            } catch (IOException e) {
                r.sidecarProblem = e.getMessage() + " Stop the workspace and start it again.";
                LOG.log(Level.WARNING, "a workspace's sidecar did not come back with the sidecar host", e);
            }
        }
    }

    private URI ideUrl(State state) {
        return switch (ide.mode()) {
            case BUILT -> URI.create("http://127.0.0.1:" + state.ports().ide());
            case SHARED -> ide.sharedUrl();
            case OFF -> config.localTheiaUrl();
        };
    }

    private void startIde(Running r, Path dir, Path app, Throwable failure) {
        synchronized (r) {
            if (r.stopped) {
                return;
            }
            if (failure != null) {
                r.ideProblem = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause().getMessage() : failure.getMessage();
                return;
            }
            try {
                r.ide = ide.start(app, dir.resolve("project"), dir.resolve("theia"), r.state.ports().ide(), webOrigin,
                        logDir.resolve("ide-" + r.state.userId() + ".log"));
                writeState(r.state.runningAs(processes(r)));
            } catch (IOException e) {
                if (r.ide == null) {
                    r.ideProblem = "The IDE could not be started: " + e.getMessage();
                } else {
                    LOG.log(Level.WARNING, "could not record the IDE's process id", e);
                }
            }
        }
    }

    /** The pod of a local workspace is the sidecar host's process, named by its id. */
    private Applied applied(Running r) {
        Process h = host.current();
        return new Applied("local", "pid-" + (h == null ? "none" : h.pid()), "127.0.0.1:" + r.state.ports().sidecar(),
                "http://127.0.0.1:" + r.state.ports().sidecar() + "/", r.state.agentToken());
    }

    @Override
    public PodState podState(Workspace ws) {
        Running r = running.get(ws.userId());
        if (r == null) {
            return PodState.of(PodState.Phase.MISSING);
        }
        if (r.sidecarProblem != null) {
            return new PodState(PodState.Phase.FAILED, r.sidecarProblem);
        }
        if (host.current() == null) {
            return new PodState(PodState.Phase.SCHEDULED, "The sidecar host stopped; it is being started again, "
                    + "with this workspace at the same address.");
        }
        if (status(URI.create("http://127.0.0.1:" + r.state.ports().management() + "/healthz")) != 200) {
            return PodState.of(PodState.Phase.SCHEDULED);
        }
        return switch (ide.mode()) {
            case OFF -> new PodState(PodState.Phase.READY, "Running without the IDE (CODITECT_IDE=off): the "
                    + "workspace answers, but there is no IDE to open.");
            case SHARED -> status(ide.sharedUrl()) > 0 ? new PodState(PodState.Phase.READY, codi2Note())
                    : new PodState(PodState.Phase.READY, "Theia at " + ide.sharedUrl() + " (THEIA_URL) is not "
                    + "answering, so the IDE will not load until it runs.");
            case BUILT -> builtIdeState(r);
        };
    }

    private PodState builtIdeState(Running r) {
        Process ideProcess;
        String problem;
        synchronized (r) {
            ideProcess = r.ide;
            problem = r.ideProblem;
        }
        if (problem != null) {
            return new PodState(PodState.Phase.FAILED, problem);
        }
        if (ideProcess == null) {
            return PodState.of(PodState.Phase.SCHEDULED); // still building or starting
        }
        if (!ideProcess.isAlive()) {
            return new PodState(PodState.Phase.FAILED, "The IDE stopped (exit " + ideProcess.exitValue()
                    + "); its log is " + logDir.resolve("ide-" + r.state.userId() + ".log") + ". Start it again.");
        }
        if (status(URI.create("http://127.0.0.1:" + r.state.ports().ide() + "/")) != 200) {
            return PodState.of(PodState.Phase.SCHEDULED);
        }
        return new PodState(PodState.Phase.READY, codi2Note());
    }

    /** Null when CODI2 answers; otherwise says that only the agent is missing, which it is. */
    private String codi2Note() {
        URI codi2 = config.localCodi2Url();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(codi2.getHost(), codi2.getPort()), 300);
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return "The IDE is ready. CODI2 is not running here (nothing at " + codi2 + ", CODI2_URL), so the agent "
                    + "is not available.";
        }
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public void stop(Workspace ws) throws WorkspaceBackendException {
        synchronized (lockOf(ws.userId())) {
            stopLocked(ws);
        }
    }

    private void stopLocked(Workspace ws) throws WorkspaceBackendException {
        Running r = running.remove(ws.userId());
        if (r != null) {
            terminate(List.of(r), null);
        }
        try {
            host.remove(ws.id());
            State state = readState(ws.id());
            if (state != null && state.running()) {
                writeState(state.stopped());
            }
        } catch (IOException e) {
            throw new WorkspaceBackendException("Could not stop the workspace's sidecar or record it stopped: "
                    + e.getMessage(), true, e);
        }
    }

    @Override
    public void delete(Workspace ws) throws WorkspaceBackendException {
        stop(ws);
        try {
            LocalIde.deleteTree(home.resolve(ws.id()));
        } catch (IOException | RuntimeException e) {
            throw new WorkspaceBackendException("Could not delete the workspace's folder: " + e.getMessage(), true, e);
        }
    }

    /**
     * Ends the sidecar host and every workspace's IDE, waiting for them; they come back with the next platform (see
     * restore).
     */
    @Override
    public void close() {
        Process h = host.closeAndGet();
        List<Running> all = new ArrayList<>(running.values());
        running.clear();
        terminate(all, h);
    }

    /**
     * Ends what a platform that died without stopping its workspaces left running (a process id is trusted only
     * while its command line is still a sidecar's or the IDE's), so their ports are free again.
     */
    private void endLeftovers(State state) {
        if (state.processes() == null) {
            return;
        }
        String sidecarJar = config.sidecarJar().getFileName().toString();
        List<ProcessHandle> leftovers = state.processes().stream().map(ProcessHandle::of).flatMap(Optional::stream)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(sidecarJar)
                        || c.contains("lib/backend/main.js")).orElse(false))
                .toList();
        if (!leftovers.isEmpty()) {
            LogFields.of("userId", state.userId(), "processes", leftovers.size()).log(LOG, Level.INFO,
                    "ending what an earlier platform left running");
            end(leftovers);
        }
    }

    /**
     * Asks the workspaces' IDE processes (and what they started, such as terminals) and {@code sidecarHost}, if
     * any, to end, waits, then kills what is left.
     */
    private static void terminate(List<Running> workspaces, Process sidecarHost) {
        List<ProcessHandle> processes = new ArrayList<>();
        for (Running r : workspaces) {
            synchronized (r) {
                r.stopped = true;
                if (r.ide != null) {
                    processes.add(r.ide.toHandle());
                }
            }
        }
        if (sidecarHost != null) {
            processes.add(sidecarHost.toHandle());
        }
        end(processes);
    }

    private static void end(List<ProcessHandle> processes) {
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle p : processes) {
            p.descendants().forEach(all::add);
            all.add(p);
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle p : all) {
            long left = deadline - System.nanoTime();
            try {
                p.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                p.destroyForcibly();
            }
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warning("process " + p.pid() + " did not end after being killed");
            }
        }
    }

    private State readState(String workspaceId) throws IOException {
        Path file = home.resolve(workspaceId).resolve("local.json");
        if (!workspaceId.matches("[A-Za-z0-9_-]{1,100}") || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.read(Files.readAllBytes(file), State.class);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ignoring an unreadable " + file, e);
            return null;
        }
    }

    /** Written owner-only: it holds the workspace's agent token, as the pod's Secret does. */
    private void writeState(State state) throws IOException {
        Path dir = home.resolve(state.workspaceId());
        Files.createDirectories(dir);
        Path tmp = dir.resolve("local.json.tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.write(tmp, Json.bytes(state));
        Files.move(tmp, dir.resolve("local.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean free(Ports ports) {
        return free(ports.sidecar()) && free(ports.management()) && free(ports.ide());
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Ports newPorts() throws IOException {
        return new Ports(FreePorts.any(), FreePorts.any(), FreePorts.any());
    }
}
