package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/images/ci/Dockerfile, the image Cloud Build tests and builds in: its Cloud SDK paths lie where its base
 * image has the SDK, and its JDK, Maven and Node.js are the versions the build requires.
 */
class CiImageTest {
    static final Path FILE = Repository.ROOT.resolve("deploy/images/ci/Dockerfile");

    /**
     * Where each base image the CI image may start from has the Cloud SDK, from the base image's own Dockerfile
     * (GoogleCloudPlatform/cloud-sdk-docker). The emulators image unpacks the SDK's archive at / and installs the
     * emulators as components; the Debian packages (google-cloud-cli) would put it under /usr/lib instead.
     */
    static final Map<String, String> CLOUD_SDK_ROOTS = Map.of(
            "gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators", "/google-cloud-sdk");
    /** Where the Pub/Sub emulator component lies inside the SDK. */
    static final String PUBSUB_EMULATOR = "/platform/pubsub-emulator";

    private static final Pattern INSTRUCTION = Pattern.compile("(?m)^(FROM|ARG|ENV)\\s+((?:.*\\\\\\n)*.*)$");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S*)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    /** What the Dockerfile sets: its base image, and every ARG default and ENV value with the ARGs put in. */
    record Image(String from, int fromLine, Map<String, Setting> args, Map<String, Setting> env) {
    }

    record Setting(String value, int line) {
    }

    static Image read(String dockerfile) {
        String from = null;
        int fromLine = 0;
        Map<String, Setting> args = new LinkedHashMap<>();
        Map<String, Setting> env = new LinkedHashMap<>();
        Matcher m = INSTRUCTION.matcher(dockerfile);
        while (m.find()) {
            int line = Repository.lineAt(dockerfile, m.start());
            String body = m.group(2).replace("\\\n", " \n"); // same length: offsets stay lines
            switch (m.group(1)) {
                case "FROM" -> {
                    from = body.trim().split("\\s+")[0];
                    fromLine = line;
                }
                case "ARG" -> {
                    Matcher a = ASSIGNMENT.matcher(body);
                    if (a.find()) {
                        args.put(a.group(1), new Setting(a.group(2), line));
                    }
                }
                default -> {
                    Matcher a = ASSIGNMENT.matcher(body);
                    while (a.find()) {
                        int at = Repository.lineAt(dockerfile, m.start(2) + a.start());
                        env.put(a.group(1), new Setting(substitute(a.group(2), args), at));
                    }
                }
            }
        }
        return new Image(from, fromLine, args, env);
    }

    private static String substitute(String value, Map<String, Setting> args) {
        Matcher v = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (v.find()) {
            String name = v.group(1) != null ? v.group(1) : v.group(2);
            Setting arg = args.get(name);
            v.appendReplacement(out, Matcher.quoteReplacement(arg == null ? v.group() : arg.value()));
        }
        return v.appendTail(out).toString();
    }

    static List<String> problems(String dockerfile) {
        String file = Repository.relative(FILE);
        Image image = read(dockerfile);
        List<String> problems = new ArrayList<>();
        String root = CLOUD_SDK_ROOTS.get(image.from());
        if (root == null) {
            problems.add(file + ":" + image.fromLine() + ": the base image " + image.from() + " is not one whose "
                    + "Cloud SDK location is known: add where it has the SDK to CiImageTest.CLOUD_SDK_ROOTS");
        } else {
            Setting home = image.env().get("PUBSUB_EMULATOR_HOME");
            if (home == null) {
                problems.add(file + ": PUBSUB_EMULATOR_HOME is not set; the event tests start the emulator from it");
            } else if (!home.value().equals(root + PUBSUB_EMULATOR)) {
                problems.add(file + ":" + home.line() + ": PUBSUB_EMULATOR_HOME is " + home.value() + ", but "
                        + image.from() + " has the Pub/Sub emulator in " + root + PUBSUB_EMULATOR);
            }
            image.env().forEach((name, setting) -> {
                for (String part : setting.value().split(":")) {
                    if (part.contains("google-cloud-sdk") && !part.startsWith(root)) {
                        problems.add(file + ":" + setting.line() + ": " + name + " points to " + part + ", outside "
                                + root + ", where " + image.from() + " has the Cloud SDK");
                    }
                }
            });
        }
        requireAtLeast(problems, image, "JDK_MAJOR", javaRelease(), "pom.xml's maven.compiler.release");
        requireAtLeast(problems, image, "MAVEN_VERSION", enforcedMavenVersion(), "pom.xml's requireMavenVersion");
        requireAtLeast(problems, image, "NODE_VERSION", nodeEngine(), "web/package.json's engines.node");
        return problems;
    }

    private static void requireAtLeast(List<String> problems, Image image, String arg, String minimum, String source) {
        String file = Repository.relative(FILE);
        Setting set = image.args().get(arg);
        if (set == null) {
            problems.add(file + ": ARG " + arg + " is missing: the CI image pins the version the build needs ("
                    + minimum + " or newer, " + source + ")");
        } else if (compare(set.value(), minimum) < 0) {
            problems.add(file + ":" + set.line() + ": " + arg + " is " + set.value() + ", older than " + minimum
                    + " (" + source + ")");
        }
    }

    /** Compares dotted version numbers part by part: 3.9.9 > 3.8, 22.12.0 > 20.19. */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int d = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static String javaRelease() {
        return match(Repository.read(Repository.ROOT.resolve("pom.xml")),
                "<maven\\.compiler\\.release>(\\d+)</maven\\.compiler\\.release>", "pom.xml: maven.compiler.release");
    }

    private static String enforcedMavenVersion() {
        return match(Repository.read(Repository.ROOT.resolve("pom.xml")),
                "(?s)<requireMavenVersion>\\s*<version>\\[([0-9.]+),", "pom.xml: requireMavenVersion");
    }

    private static String nodeEngine() {
        try {
            JsonNode pkg = new ObjectMapper().readTree(Repository.ROOT.resolve("web/package.json").toFile());
            return match(pkg.path("engines").path("node").asText(), ">=\\s*([0-9.]+)", "web/package.json: engines.node");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String match(String text, String regex, String what) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(what + " is not where this check reads it");
        }
        return m.group(1);
    }

    @Test
    void theCiImagesPathsLieInItsBaseImageAndItsToolsAreTheVersionsTheBuildNeeds() {
        Problems.assertNone("the CI image", problems(Repository.read(FILE)));
    }

    @Test
    void anEmulatorPathOutsideTheBaseImagesCloudSdkIsReportedWithItsLine() {
        String text = Repository.read(FILE);
        String wrong = text.replaceFirst("PUBSUB_EMULATOR_HOME=\\S+",
                "PUBSUB_EMULATOR_HOME=/usr/lib/google-cloud-sdk/platform/pubsub-emulator");
        List<String> problems = problems(wrong);
        int line = Repository.lineOf(wrong, "PUBSUB_EMULATOR_HOME=");
        assertEquals(2, problems.size(), problems.toString());
        problems.forEach(p -> assertTrue(p.startsWith("deploy/images/ci/Dockerfile:" + line + ": "), p));
    }

    @Test
    void aToolOlderThanTheBuildRequiresIsReported() {
        List<String> problems = problems(Repository.read(FILE).replaceFirst("ARG NODE_VERSION=\\S+",
                "ARG NODE_VERSION=18.20.4"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("NODE_VERSION is 18.20.4, older than"), problems.get(0));
    }
}
