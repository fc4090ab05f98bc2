package ai.coditect.functions.workspaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-time build of the local IDE without npm: the cache key follows the sources of {@code ide/}, a built cache
 * is reused as it is, and a machine without the tools is told what to install. The tools are stand-in scripts on
 * the PATH of a child JVM (a process finds its programs on its own PATH, so only a child can be given another).
 */
class LocalIdeTest {
    @TempDir
    Path dir;

    private Path ideSources() throws IOException {
        Path source = dir.resolve("ide");
        write(source.resolve("package.json"), "{\"dependencies\":{\"@theia/core\":\"1.74.1\"}}");
        write(source.resolve("package-lock.json"), "{\"lockfileVersion\":3}");
        write(source.resolve("theme-bridge/package.json"), "{\"name\":\"theme-bridge\"}");
        write(source.resolve("theme-bridge/lib/frontend-module.js"), "module.exports = {};");
        return source;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private String key(Path source) throws IOException {
        return LocalIde.built(source, dir.resolve("cache"), line -> { }).sourceKey();
    }

    @Test
    void theBuildCacheKeyChangesWithEverySourceTheBuildReadsAndWithNothingElse() throws IOException {
        Path source = ideSources();
        String first = key(source);
        assertEquals(first, key(source), "unchanged sources, the same build");

        write(source.resolve("theme-bridge/node_modules/dep/index.js"), "installed, not a source");
        write(source.resolve("README.md"), "not read by the build");
        assertEquals(first, key(source), "installed packages and files the build does not read change nothing");

        List<String> keys = new ArrayList<>(List.of(first));
        write(source.resolve("package.json"), "{\"dependencies\":{\"@theia/core\":\"1.74.2\"}}");
        keys.add(key(source));
        write(source.resolve("package-lock.json"), "{\"lockfileVersion\":3,\"packages\":{}}");
        keys.add(key(source));
        write(source.resolve("theme-bridge/lib/frontend-module.js"), "module.exports = { dark: true };");
        keys.add(key(source));
        write(source.resolve("theme-bridge/lib/backend-module.js"), "module.exports = {};");
        keys.add(key(source));
        assertEquals(keys.size(), keys.stream().distinct().count(), "each edit is a new build: " + keys);
    }

    @Test
    void aBuiltCacheIsReusedWithoutAnyToolAndAnEditedSourceIsNot() throws Exception {
        Path source = ideSources();
        Path built = dir.resolve("cache").resolve(key(source));
        write(built.resolve(".built"), key(source));

        Build reused = buildWith(tools(), "someone"); // no npm here: only a cached build can be taken
        assertEquals(built.toString(), reused.built(), reused.output());

        write(source.resolve("theme-bridge/lib/frontend-module.js"), "module.exports = { dark: true };");
        Build edited = buildWith(tools(), "someone");
        assertNull(edited.built(), "the edited IDE is built afresh: " + edited.output());
        assertTrue(edited.failure().startsWith("The IDE needs Node.js"), edited.output());
    }

    @Test
    void aMachineWithoutNpmIsToldToInstallNodeOrToSwitchTheIdeOff() throws Exception {
        ideSources();
        Build build = buildWith(tools(), "someone");
        assertEquals("The IDE needs Node.js 20 or newer with npm on the PATH (apt-get install nodejs npm), or set "
                + "CODITECT_IDE=off to run without the IDE.", build.failure(), build.output());
    }

    @Test
    void aUserMissingDebianPackagesIsToldExactlyWhichToInstall() throws Exception {
        ideSources();
        Build build = buildWith(tools("npm", NPM, "dpkg-query", DPKG_QUERY), "someone");
        assertEquals("Building the IDE needs Debian packages that are missing: run 'sudo apt-get install -y "
                + "pkg-config libsecret-1-dev' and start again (or CODITECT_IDE=off to skip the IDE).",
                build.failure(), build.output());
        assertFalse(Files.exists(dir.resolve("cache").resolve(key(dir.resolve("ide")))), "nothing was built");
    }

    @Test
    void rootInstallsTheMissingPackagesAndAFailedNpmInstallEndsWithTheEndOfItsLog() throws Exception {
        Path tools = tools("npm", NPM, "dpkg-query", DPKG_QUERY, "node", "exit 1", "apt-get",
                "echo \"$@\" >> '" + dir.resolve("apt-get.args") + "'");
        ideSources();
        Build build = buildWith(tools, "root");

        assertEquals(List.of("install -y --no-install-recommends pkg-config libsecret-1-dev"),
                Files.readAllLines(dir.resolve("apt-get.args")), "exactly the missing packages");
        assertTrue(build.output().contains("installing pkg-config libsecret-1-dev (apt-get)"), build.output());
        assertTrue(build.failure().startsWith("The IDE build failed while installing packages (npm ci) (exit 1)"),
                build.failure());
        assertTrue(build.failure().endsWith("gyp ERR! stack Error: not found: make"), build.failure());
    }

    /** npm: present; its install fails as a native module without a compiler does. */
    private static final String NPM = """
            case "$1" in
              --version) echo 11.0.0 ;;
              ci) echo 'npm warn deprecated inflight'; echo 'gyp ERR! stack Error: not found: make'; exit 1 ;;
            esac""";
    /** dpkg: build-essential and python3 installed; pkg-config never was; libsecret-1-dev removed (config left). */
    private static final String DPKG_QUERY = """
            case "$1" in
              --version) exit 0 ;;
            esac
            case "$3" in
              build-essential|python3) printf installed ;;
              libsecret-1-dev) printf config-files ;;
              *) echo "dpkg-query: no packages found matching $3"; exit 1 ;;
            esac""";

    /** A folder of stand-in programs: name, then the body of its shell script. */
    private Path tools(String... nameThenScript) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (int i = 0; i < nameThenScript.length; i += 2) {
            Path tool = bin.resolve(nameThenScript[i]);
            Files.writeString(tool, "#!/bin/sh\n" + nameThenScript[i + 1] + "\n");
            Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    /** How a build in a child JVM ended: the folder it built (or reused), else why it failed; and all it said. */
    record Build(String built, String failure, String output) {
    }

    /** Builds the IDE of {@code ide/} in a child JVM whose PATH is {@code tools} alone, as user {@code user}. */
    private Build buildWith(Path tools, String user) throws Exception {
        Path source = dir.resolve("ide");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-Duser.name=" + user, "-cp", System.getProperty("java.class.path"),
                Builder.class.getName(), source.toString(), dir.resolve("cache").toString())
                .redirectErrorStream(true);
        pb.environment().put("PATH", tools.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, p.exitValue(), output);
        int built = output.indexOf(Builder.BUILT);
        if (built >= 0) {
            return new Build(output.substring(built + Builder.BUILT.length()).strip(), null, output);
        }
        int failed = output.indexOf(Builder.FAILED);
        assertTrue(failed >= 0, "the build ended neither way: " + output);
        return new Build(null, output.substring(failed + Builder.FAILED.length()).strip(), output);
    }

    /** Runs the one-time build in its own JVM and prints its progress and how it failed. */
    static final class Builder {
        static final String BUILT = "--- built: ";
        static final String FAILED = "--- failed: ";

        public static void main(String[] args) throws Exception {
            LocalIde ide = LocalIde.built(Path.of(args[0]), Path.of(args[1]), line -> System.out.println("progress: " + line));
            try {
                System.out.println(BUILT + ide.prepare().get(60, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                System.out.println(FAILED + (e.getCause() instanceof LocalIde.IdeUnavailable
                        ? e.getCause().getMessage() : e.getCause().toString()));
            }
        }
    }
}
