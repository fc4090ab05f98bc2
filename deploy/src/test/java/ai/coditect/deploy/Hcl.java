package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Terraform's HCL read with npm's {@code @cdktf/hcl2json} (the version pinned in hcl2json/package-lock.json),
 * installed once with {@code npm ci} into a cache folder outside the build ({@code CODITECT_CACHE}, default
 * {@code ~/.cache/coditect}) and used offline from then on. No terraform binary is needed.
 */
final class Hcl {
    static final String VERSION = "0.21.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path installed;

    private Hcl() {
    }

    /** What one file parsed to, or the parser's error ("file:line,col-…: message"). */
    record Parsed(Path file, JsonNode json, String error) {
    }

    static Map<Path, Parsed> parse(List<Path> files) {
        Path dir = install();
        List<String> command = new ArrayList<>(List.of("node", dir.resolve("parse.js").toString()));
        files.forEach(f -> command.add(f.toString()));
        String out = run(command, dir, 120);
        JsonNode all;
        try {
            all = JSON.readTree(out);
        } catch (IOException e) {
            throw new IllegalStateException("hcl2json printed something other than JSON: " + out, e);
        }
        Map<Path, Parsed> result = new LinkedHashMap<>();
        for (Path f : files) {
            JsonNode r = all.path(f.toString());
            result.put(f, new Parsed(f, r.get("json"), r.hasNonNull("error") ? r.get("error").asText() : null));
        }
        return result;
    }

    private static synchronized Path install() {
        if (installed != null) {
            return installed;
        }
        String cacheRoot = System.getenv("CODITECT_CACHE");
        Path dir = (cacheRoot == null || cacheRoot.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "coditect") : Path.of(cacheRoot))
                .resolve("hcl2json-" + VERSION);
        try {
            Files.createDirectories(dir);
            // several builds on one machine may share the cache: one installs, the others wait for it
            try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = lock.lock()) {
                prepare(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare @cdktf/hcl2json in " + dir, e);
        }
        installed = dir;
        return dir;
    }

    private static void prepare(Path dir) throws IOException {
        {
            boolean fresh = copy("package.json", dir) | copy("package-lock.json", dir);
            copy("parse.js", dir);
            Path marker = dir.resolve("node_modules/@cdktf/hcl2json/package.json");
            if (fresh || !Files.exists(marker)) {
                run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"), dir, 300);
            }
            if (!Files.readString(marker).contains("\"version\": \"" + VERSION + "\"")) {
                throw new IllegalStateException(marker + " is not @cdktf/hcl2json " + VERSION + "; delete " + dir);
            }
        }
    }

    /** Copies a resource into {@code dir}; true when the file there changed. */
    private static boolean copy(String name, Path dir) throws IOException {
        try (InputStream in = Hcl.class.getResourceAsStream("/hcl2json/" + name)) {
            byte[] bytes = in.readAllBytes();
            Path target = dir.resolve(name);
            if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
                return false;
            }
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private static String run(List<String> command, Path dir, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("hcl2json", ".out");
            Path err = Files.createTempFile("hcl2json", ".err");
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                            + timeoutSeconds + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue()
                            + "): " + Files.readString(err, StandardCharsets.UTF_8)
                            + "\nThe deploy checks need Node.js and npm (apt-get install nodejs npm); npm reaches "
                            + "the registry once, then works from " + dir + ".");
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.get(0)
                    + ": the deploy checks need Node.js and npm (apt-get install nodejs npm)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
