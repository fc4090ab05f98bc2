package ai.coditect.functions.workspaces;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The IDE of local workspaces: the Theia application of {@code ide/}, installed and built once into a cache keyed
 * by its sources and then started once per workspace; or one Theia shared by all at {@code THEIA_URL}; or none
 * ({@code CODITECT_IDE=off}, for API-only work).
 */
public final class LocalIde {
    /** Where the IDE comes from. */
    public enum Mode { BUILT, SHARED, OFF }

    /** What a native-module build of Theia needs from Debian. */
    static final List<String> DEBIAN_PACKAGES = List.of("build-essential", "python3", "pkg-config", "libsecret-1-dev");

    private final Mode mode;
    private final Path source;
    private final Path cache;
    private final URI sharedUrl;
    private final Consumer<String> progress;
    private CompletableFuture<Path> app;

    private LocalIde(Mode mode, Path source, Path cache, URI sharedUrl, Consumer<String> progress,
                     CompletableFuture<Path> app) {
        this.mode = mode;
        this.source = source;
        this.cache = cache;
        this.sharedUrl = sharedUrl;
        this.progress = progress;
        this.app = app;
    }

    /**
     * {@code CODITECT_IDE=off} skips the IDE; a set {@code THEIA_URL} is shared by every workspace; otherwise the
     * application in {@code CODITECT_IDE_DIR} (default {@code ide}) is built into {@code CODITECT_IDE_CACHE}
     * (default {@code ~/.cache/coditect/ide}).
     */
    public static LocalIde of(WorkspacesConfig.Local settings, Consumer<String> progress) {
        if (settings.ide().equals("off")) {
            return off();
        }
        if (settings.sharedTheiaUrl() != null) {
            return shared(settings.sharedTheiaUrl());
        }
        return built(settings.ideDir(), settings.ideCache(), progress);
    }

    public static LocalIde off() {
        return new LocalIde(Mode.OFF, null, null, null, line -> { }, null);
    }

    public static LocalIde shared(URI theiaUrl) {
        return new LocalIde(Mode.SHARED, null, null, theiaUrl, line -> { }, null);
    }

    public static LocalIde built(Path source, Path cache, Consumer<String> progress) {
        return new LocalIde(Mode.BUILT, source, cache, null, progress, null);
    }

    /** An application already built in {@code app} (its {@code lib/backend/main.js} is started per workspace). */
    public static LocalIde prebuilt(Path app) {
        return new LocalIde(Mode.BUILT, null, null, null, line -> { }, CompletableFuture.completedFuture(app));
    }

    public Mode mode() {
        return mode;
    }

    public URI sharedUrl() {
        return sharedUrl;
    }

    /** The built application, building it on first call (in the background; every later call gets the same). */
    public synchronized CompletableFuture<Path> prepare() {
        if (mode != Mode.BUILT) {
            throw new IllegalStateException("only a built IDE is prepared");
        }
        if (app == null) {
            app = new CompletableFuture<>();
            Thread builder = new Thread(() -> {
                try {
                    app.complete(build());
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    app.completeExceptionally(e);
                }
            }, "coditect-ide-build");
            builder.setDaemon(true);
            builder.start();
        }
        return app;
    }

    /** Starts the IDE for one workspace on a loopback port; its output goes to {@code log}. */
    Process start(Path app, Path project, Path configDir, int port, String webOrigin, Path log) throws IOException {
        Files.createDirectories(project);
        Files.createDirectories(configDir);
        ProcessBuilder pb = new ProcessBuilder(node(), app.resolve("lib/backend/main.js").toString(),
                project.toString(), "--hostname=127.0.0.1", "--port=" + port)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        // the platform's own settings (keys, tokens) stay out of the workspace's terminals
        env.keySet().removeIf(k -> k.startsWith("CODITECT_") || k.equals("THEIA_URL") || k.equals("CODI2_URL"));
        env.put("THEIA_CONFIG_DIR", configDir.toString());
        env.put("CODITECT_WEB_ORIGIN", webOrigin);
        return pb.start();
    }

    private static String node() {
        return "node";
    }

    // ---- the one-time build ----

    private Path build() throws IOException, InterruptedException {
        if (!Files.isRegularFile(source.resolve("package.json"))) {
            throw new IdeUnavailable("The IDE's sources are not at " + source + " (set CODITECT_IDE_DIR, or "
                    + "CODITECT_IDE=off to run without the IDE).");
        }
        String key = sourceKey();
        Path target = cache.resolve(key);
        Path done = target.resolve(".built");
        if (Files.exists(done)) {
            return target;
        }
        Files.createDirectories(cache);
        // one build per cache, whichever platform (dev, tests) gets there first; the others wait for it
        try (FileChannel lockFile = FileChannel.open(cache.resolve(key + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
            if (Files.exists(done)) {
                return target;
            }
            checkTools();
            long started = System.nanoTime();
            progress.accept("building the IDE once (Theia " + theiaVersion() + ") into " + target
                    + "; later starts reuse it. Log: " + target.resolve("build.log"));
            deleteTree(target);
            copySources(target);
            Map<String, String> env = buildEnvironment();
            try (Writer log = Files.newBufferedWriter(target.resolve("build.log"), StandardCharsets.UTF_8)) {
                run(target, env, log, "installing packages (npm ci)", "npm", "ci", "--no-audit", "--no-fund");
                run(target, env, log, "building the application (theia build)", "npm", "run", "build");
            }
            Files.writeString(done, key);
            progress.accept("the IDE is built (" + (System.nanoTime() - started) / 1_000_000_000 + " s)");
            return target;
        }
    }

    /** Hash of what the build reads, so an edited {@code ide/} is built afresh and an unchanged one never again. */
    String sourceKey() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Path file : sourceFiles()) {
            sha.update(source.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(Files.readAllBytes(file));
            sha.update((byte) 0);
        }
        return "theia-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private List<Path> sourceFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(source.resolve("package.json"));
        if (Files.isRegularFile(source.resolve("package-lock.json"))) {
            files.add(source.resolve("package-lock.json"));
        }
        Path extension = source.resolve("theme-bridge");
        if (Files.isDirectory(extension)) {
            try (Stream<Path> walk = Files.walk(extension)) {
                walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("node_modules"))
                        .sorted().forEach(files::add);
            }
        }
        return files;
    }

    private void copySources(Path target) throws IOException {
        for (Path file : sourceFiles()) {
            Path to = target.resolve(source.relativize(file).toString());
            Files.createDirectories(to.getParent());
            Files.copy(file, to);
        }
    }

    private String theiaVersion() {
        try {
            return ai.coditect.shared.json.Json.mapper().readTree(source.resolve("package.json").toFile()).at("/dependencies/@theia~1core").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** Node and npm on the PATH, and Debian's build packages: installed when running as root, else named. */
    private void checkTools() throws IOException, InterruptedException {
        if (quietly("npm", "--version") != 0) {
            throw new IdeUnavailable("The IDE needs Node.js 20 or newer with npm on the PATH (apt-get install nodejs "
                    + "npm), or set CODITECT_IDE=off to run without the IDE.");
        }
        if (quietly("dpkg-query", "--version") != 0) {
            return; // not Debian: the native-module build names whatever is missing
        }
        List<String> missing = new ArrayList<>();
        for (String pkg : DEBIAN_PACKAGES) {
            if (!installed(pkg)) {
                missing.add(pkg);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String names = String.join(" ", missing);
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IdeUnavailable("Building the IDE needs Debian packages that are missing: run "
                    + "'sudo apt-get install -y " + names + "' and start again (or CODITECT_IDE=off to skip the IDE).");
        }
        progress.accept("installing " + names + " (apt-get), which the IDE's native modules need");
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        install.addAll(missing);
        if (quietly(install.toArray(String[]::new)) != 0
                && (quietly("apt-get", "update") != 0 || quietly(install.toArray(String[]::new)) != 0)) {
            throw new IdeUnavailable("Could not install " + names + " with apt-get; install them and start again.");
        }
    }

    private static boolean installed(String pkg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${db:Status-Status}", pkg).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 && out.equals("installed");
    }

    private static int quietly(String... command) throws InterruptedException {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            return pb.start().waitFor();
        } catch (IOException e) {
            return 127;
        }
    }

    private static Map<String, String> buildEnvironment() throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        // the Theia CLI's test tooling would download a browser; the IDE needs none
        env.put("PUPPETEER_SKIP_DOWNLOAD", "true");
        // native modules compile against this Node's own headers instead of downloading them
        Process p = new ProcessBuilder("node", "-p", "process.execPath").redirectErrorStream(true).start();
        String exec = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() == 0 && !exec.isEmpty()) {
            Path prefix = Path.of(exec).getParent().getParent();
            if (Files.isRegularFile(prefix.resolve("include/node/node_api.h"))) {
                env.putIfAbsent("npm_config_nodedir", prefix.toString());
            }
        }
        return env;
    }

    private void run(Path dir, Map<String, String> env, Writer log, String step, String... command)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        progress.accept(step + " ...");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        // npm is silent for minutes at a time: say that it is still at work
        Thread heartbeat = new Thread(() -> {
            try {
                while (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    progress.accept("still " + step + " (" + (System.nanoTime() - started) / 1_000_000_000 + " s)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "coditect-ide-build-progress");
        heartbeat.setDaemon(true);
        heartbeat.start();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                log.write(line);
                log.write('\n');
                if (tail.size() == 25) {
                    tail.removeFirst();
                }
                tail.addLast(line);
                if (!line.isBlank() && !line.startsWith("npm warn")) {
                    progress.accept("  " + line);
                }
            }
        }
        int exit = p.waitFor();
        log.flush();
        if (exit != 0) {
            throw new IdeUnavailable("The IDE build failed while " + step + " (exit " + exit + "); the end of its log "
                    + "(" + dir.resolve("build.log") + "):\n" + String.join("\n", tail));
        }
        progress.accept(step + " done (" + (System.nanoTime() - started) / 1_000_000_000 + " s)");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete " + p, e);
                }
            }
        }
    }

    /** The IDE cannot be built or started here; the message says what to do. */
    public static final class IdeUnavailable extends IOException {
        IdeUnavailable(String message) {
            super(message);
        }
    }
}
