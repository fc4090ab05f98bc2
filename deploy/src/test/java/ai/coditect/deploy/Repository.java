package ai.coditect.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository the checks read: its files, its modules' main sources, and "file:line" for what they report. */
final class Repository {
    static final Path ROOT = Path.of(System.getProperty("coditect.repository", "..")).toAbsolutePath().normalize();

    private Repository() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files under {@code dir} whose names end with {@code suffix}, skipping build output and dependencies. */
    static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> {
                        String rel = dir.relativize(p).toString().replace('\\', '/');
                        return !rel.contains(".terraform/") && !rel.contains("node_modules/")
                                && !rel.startsWith("target/") && !rel.contains("/target/");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Modules whose code never runs in the cloud: the benchmarks subscribe and call for measuring only. */
    private static final List<String> NOT_DEPLOYED = List.of("bench");

    /**
     * The Java main sources of every deployed Maven module (any top-level folder with a pom.xml and src/main/java,
     * except the benchmarks).
     */
    static List<Path> mainSources() {
        try (Stream<Path> modules = Files.list(ROOT)) {
            return modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml")))
                    .filter(m -> !NOT_DEPLOYED.contains(m.getFileName().toString()))
                    .filter(m -> Files.isDirectory(m.resolve("src/main/java")))
                    .sorted()
                    .flatMap(m -> files(m.resolve("src/main/java"), ".java").stream())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String relative(Path file) {
        return ROOT.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    /** "path:line" of the first line of {@code file} containing {@code text}, or "path" when none does. */
    static String where(Path file, String text) {
        int line = lineOf(read(file), text);
        return relative(file) + (line > 0 ? ":" + line : "");
    }

    static int lineOf(String content, String text) {
        int at = content.indexOf(text);
        return at < 0 ? 0 : lineAt(content, at);
    }

    static int lineAt(String content, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (content.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Every match of {@code pattern} in {@code file}, with its line. */
    static Stream<Found> find(Path file, Pattern pattern) {
        String content = read(file);
        Matcher m = pattern.matcher(content);
        Stream.Builder<Found> out = Stream.builder();
        while (m.find()) {
            out.add(new Found(file, lineAt(content, m.start()), m.toMatchResult()));
        }
        return out.build();
    }

    record Found(Path file, int line, java.util.regex.MatchResult match) {
        String where() {
            return relative(file) + ":" + line;
        }
    }
}
