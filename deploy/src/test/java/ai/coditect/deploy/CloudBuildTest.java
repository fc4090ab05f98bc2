package ai.coditect.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cloudbuild.yaml: it parses, its steps test before they build and roll out gradually, it holds no secrets, and
 * every image it builds is one that a service or the workspace pod runs (and every such image is built). The
 * workspace pod's images come from the pod the provisioner's code creates ({@link WorkspacePod}).
 */
class CloudBuildTest {
    static final Path FILE = Repository.ROOT.resolve("cloudbuild.yaml");
    static final Path ROLLOUT = Repository.ROOT.resolve("deploy/scripts/rollout.sh");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** An image the pipeline builds: docker -t or Jib's target, in the project's repository. */
    private static final Pattern BUILT = Pattern.compile(
            "(?:-t\"?,?\\s*\"?|jib\\.to\\.image=)\\$\\{_REPOSITORY}/([a-z0-9-]+):");

    static JsonNode parse(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new AssertionError(Repository.relative(file) + ":" + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new AssertionError(Repository.relative(file) + ": " + e.getMessage());
        }
    }

    @Test
    void aBrokenFileIsReportedWithItsLine(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("cloudbuild.yaml");
        Files.writeString(broken, "steps:\n  - id: test\n    args: [\"a\", \"b\"\n  - id: next\n");
        try {
            parse(broken);
            throw new IllegalStateException("parsed a broken file");
        } catch (AssertionError e) {
            assertTrue(e.getMessage().matches("(?s).*cloudbuild\\.yaml:[345]: .*"), e.getMessage());
        }
    }

    @Test
    void substitutionsNameTheProjectRegionAndDomainAndNoSecretIsInTheFile() {
        JsonNode build = parse(FILE);
        List<String> problems = new ArrayList<>();
        for (String s : List.of("_PROJECT_ID", "_REGION", "_DOMAIN")) {
            if (!build.path("substitutions").has(s)) {
                problems.add(Repository.where(FILE, "substitutions:") + ": substitution " + s + " is missing");
            }
        }
        String text = Repository.read(FILE);
        for (String secretish : List.of("secretEnv", "availableSecrets", "-----BEGIN", "private_key", "AIza",
                "password:")) {
            if (text.contains(secretish)) {
                problems.add(Repository.where(FILE, secretish) + ": no secrets in the build file (" + secretish + ")");
            }
        }
        Problems.assertNone("cloudbuild.yaml", problems);
    }

    @Test
    void stepsTestThenBuildThenDeployWithoutTrafficThenSmokeTestThenRollOutGradually() {
        JsonNode steps = parse(FILE).path("steps");
        List<String> ids = new ArrayList<>();
        steps.forEach(s -> ids.add(s.path("id").asText()));
        // the release is recorded before the web app is published: the first release has no web bucket yet
        List<String> order = List.of("test", "images", "deploy-candidates", "smoke-test", "rollout", "record-release",
                "web");
        int last = -1;
        List<String> problems = new ArrayList<>();
        for (String id : order) {
            int at = ids.indexOf(id);
            if (at <= last) {
                problems.add(Repository.where(FILE, "id: " + (at < 0 ? "" : id)) + ": step " + id
                        + " must come after " + (last < 0 ? "the start" : ids.get(last)));
            }
            last = Math.max(last, at);
        }
        JsonNode test = steps.get(ids.indexOf("test"));
        if (!(test.path("entrypoint").asText() + " " + test.path("args")).contains("./coditect")
                || !test.path("args").toString().contains("test")) {
            problems.add(Repository.where(FILE, "id: test") + ": the test step runs ./coditect test");
        }
        JsonNode rollout = steps.get(ids.indexOf("rollout"));
        if (!rollout.path("args").toString().contains("\"gradually\",\"10\",\"50\",\"100\"")) {
            problems.add(Repository.where(FILE, "id: rollout") + ": the rollout goes 10 -> 50 -> 100 %");
        }
        String script = Repository.read(ROLLOUT);
        for (String must : List.of("--no-traffic --tag candidate", "rollback", "exit 1")) {
            if (!script.contains(must)) {
                problems.add(Repository.relative(ROLLOUT) + ": missing " + must);
            }
        }
        if (ids.contains("web") && !steps.get(ids.indexOf("web")).path("args").toString().contains("rollout.sh web ")) {
            problems.add(Repository.where(FILE, "id: web") + ": the web app is published by rollout.sh web, which "
                    + "knows the first release (no web bucket yet)");
        }
        if (!steps.get(ids.indexOf("smoke-test")).path("args").toString().contains("candidate.${_DOMAIN}")) {
            problems.add(Repository.where(FILE, "id: smoke-test") + ": smoke tests run against the candidate tag");
        }
        Problems.assertNone("cloudbuild.yaml steps", problems);
    }

    @Test
    void everyImageBuiltIsRunBySomethingAndEverythingRunIsBuilt() {
        Problems.assertNone("images", imageProblems(Repository.read(FILE)));
    }

    @Test
    void anImageNothingRunsIsReportedWhereItIsBuilt() {
        String text = Repository.read(FILE).replace("steps:\n", "steps:\n  - id: extra\n"
                + "    name: gcr.io/cloud-builders/docker\n"
                + "    args: [\"build\", \"-t\", \"${_REPOSITORY}/orphan:${COMMIT_SHA}\", \"orphan\"]\n");
        List<String> problems = imageProblems(text);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("cloudbuild.yaml:" + (Repository.lineOf(text, "/orphan:")) + ": "),
                problems.get(0));
    }

    @Test
    void aWorkspaceImageTheReleaseDoesNotHandToTheProvisionerIsReported() {
        String rollout = Repository.read(ROLLOUT).replace("CODITECT_THEIA_IMAGE=", "THEIA=");
        List<String> problems = imageProblems(Repository.read(FILE), rollout);
        assertEquals(List.of("deploy/scripts/rollout.sh: the release does not hand CODITECT_THEIA_IMAGE to the "
                + "services that start workspaces, so new workspaces would keep the theia image they had"), problems);
    }

    @Test
    void deployedImagesArePinnedByDigest() {
        List<String> problems = new ArrayList<>();
        Path variables = Terraform.DIR.resolve("variables.tf");
        Terraform.fields(Terraform.load().json(variables).path("variable"), (name, blocks) -> {
            if (name.endsWith("_image") && !blocks.toString().contains("@sha256")) {
                problems.add(Repository.where(variables, "variable \"" + name + "\"") + ": " + name
                        + " must be validated as an image by digest (@sha256:…)");
            }
        });
        String text = Repository.read(FILE);
        Matcher digestFiles = Pattern.compile("> /workspace/digests/([a-z0-9-]+)\\n").matcher(text);
        while (digestFiles.find()) {
            String line = text.substring(text.lastIndexOf('\n', digestFiles.start()) + 1, digestFiles.start());
            if (!line.contains("@") && !line.contains("RepoDigests")) {
                problems.add(Repository.relative(FILE) + ":" + Repository.lineAt(text, digestFiles.start())
                        + ": the digest file of " + digestFiles.group(1) + " must hold image@sha256:…");
            }
        }
        if (!Repository.read(ROLLOUT).contains("--image \"$(cat \"$DIGESTS/$image\")\"")) {
            problems.add(Repository.relative(ROLLOUT) + ": services are deployed from the digest files");
        }
        Problems.assertNone("images by digest", problems);
    }

    @Test
    void theSidecarReleasedIsTheImageWithTheAotCacheOfItsOwnTrainingRun() {
        Problems.assertNone("the sidecar's AOT cache", sidecarCacheProblems(Repository.read(FILE)));
    }

    @Test
    void aReleaseThatWouldDeployThePlainSidecarIsReported() {
        String text = Repository.read(FILE).replace("waitFor: [\"images\", \"sidecar-aot-cache\", \"theia-image\"]",
                "waitFor: [\"images\", \"theia-image\"]");
        assertEquals(List.of("cloudbuild.yaml:" + Repository.lineOf(text, "id: deploy-candidates")
                + ": deploy-candidates must wait for sidecar-aot-cache (or the sidecar goes out without it)"),
                sidecarCacheProblems(text));
    }

    /**
     * The step that makes the sidecar's AOT cache: after Jib's image, it runs that image's training run (the cache
     * serves only the JVM build and class path it was made in), builds deploy/images/sidecar-aot on it, and puts
     * that image's digest where the release reads the sidecar's; the image reads the cache's options file.
     */
    static List<String> sidecarCacheProblems(String cloudbuild) {
        List<String> problems = new ArrayList<>();
        JsonNode steps;
        try {
            steps = YAML.readTree(cloudbuild).path("steps");
        } catch (JsonProcessingException e) {
            return List.of("cloudbuild.yaml: " + e.getOriginalMessage());
        }
        List<String> ids = new ArrayList<>();
        steps.forEach(s -> ids.add(s.path("id").asText()));
        int at = ids.indexOf("sidecar-aot-cache");
        if (at < 0) {
            return List.of("cloudbuild.yaml: no step sidecar-aot-cache makes the sidecar's AOT cache");
        }
        String where = "cloudbuild.yaml:" + Repository.lineOf(cloudbuild, "id: sidecar-aot-cache") + ": ";
        if (at < ids.indexOf("images") || !steps.get(at).path("waitFor").toString().contains("\"images\"")) {
            problems.add(where + "the cache is made after, and waits for, the step images (Jib's sidecar image)");
        }
        StringBuilder script = new StringBuilder();
        steps.get(at).path("args").forEach(a -> script.append(a.asText()).append('\n'));
        for (String must : List.of("$(cat /workspace/digests/sidecar)", "JAVA_TOOL_OPTIONS=-XX:AOTCacheOutput=",
                "\"$$plain\" train", "ExitCode", "deploy/images/sidecar-aot/sidecar.aot",
                "--build-arg SIDECAR_IMAGE=\"$$plain\"", "deploy/images/sidecar-aot",
                "RepoDigests 0}}' ${_REPOSITORY}/sidecar:${COMMIT_SHA}-aot > /workspace/digests/sidecar")) {
            if (!script.toString().contains(must)) {
                problems.add(where + "the step must contain " + must);
            }
        }
        int deploy = ids.indexOf("deploy-candidates");
        if (deploy < at || !steps.get(deploy).path("waitFor").toString().contains("\"sidecar-aot-cache\"")) {
            problems.add("cloudbuild.yaml:" + Repository.lineOf(cloudbuild, "id: deploy-candidates")
                    + ": deploy-candidates must wait for sidecar-aot-cache (or the sidecar goes out without it)");
        }
        for (int i = at + 1; i < ids.size(); i++) {
            if (steps.get(i).path("args").toString().contains("> /workspace/digests/sidecar")) {
                problems.add("cloudbuild.yaml: step " + ids.get(i) + " writes the sidecar's digest after its cache");
            }
        }
        Path dockerfile = Repository.ROOT.resolve("deploy/images/sidecar-aot/Dockerfile");
        String image = Repository.read(dockerfile);
        for (String must : List.of("FROM ${SIDECAR_IMAGE}", "COPY sidecar.aot /app/sidecar.aot",
                "COPY sidecar.aot.options /app/sidecar.aot.options")) {
            if (!image.contains(must)) {
                problems.add(Repository.relative(dockerfile) + ": missing " + must);
            }
        }
        Path options = Repository.ROOT.resolve("deploy/images/sidecar-aot/sidecar.aot.options");
        if (!Repository.read(options).contains("\n-XX:AOTCache=/app/sidecar.aot\n")) {
            problems.add(Repository.relative(options) + ": the options name the cache: -XX:AOTCache=/app/sidecar.aot");
        }
        Path plainOptions = Repository.ROOT.resolve("sidecar/src/main/jvm/sidecar.aot.options");
        if (Repository.read(plainOptions).lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
            problems.add(Repository.relative(plainOptions) + ": the plain image has no cache, so no option here");
        }
        Path pom = Repository.ROOT.resolve("sidecar/pom.xml");
        String jib = Repository.read(pom);
        if (!jib.contains("<jvmFlag>@/app/sidecar.aot.options</jvmFlag>")) {
            problems.add(Repository.relative(pom) + ": the image's JVM reads @/app/sidecar.aot.options");
        }
        if (!jib.contains("<containerizingMode>packaged</containerizingMode>")) {
            problems.add(Repository.relative(pom) + ": Jib must put the sidecar's classes in a jar (containerizingMode "
                    + "packaged): a class path with a directory gets no AOT cache");
        }
        return problems;
    }

    static List<String> imageProblems(String cloudbuild) {
        return imageProblems(cloudbuild, Repository.read(ROLLOUT));
    }

    static List<String> imageProblems(String cloudbuild, String rollout) {
        Map<String, Integer> built = new LinkedHashMap<>();
        Matcher m = BUILT.matcher(cloudbuild);
        while (m.find()) {
            built.putIfAbsent(m.group(1), Repository.lineAt(cloudbuild, m.start()));
        }
        Set<String> run = new LinkedHashSet<>();
        // images the build itself runs steps in, or builds other images on
        Matcher stepImage = Pattern.compile("name: \\$\\{_REPOSITORY}/([a-z0-9-]+):").matcher(cloudbuild);
        while (stepImage.find()) {
            run.add(stepImage.group(1));
        }
        Matcher base = Pattern.compile("jib\\.from\\.image=\\$\\$\\(cat /workspace/digests/([a-z0-9-]+)\\)")
                .matcher(cloudbuild);
        while (base.find()) {
            run.add(base.group(1));
        }
        // images the functions' services run (terraform local.function_images; rollout.sh deploys them by name)
        Terraform tf = Terraform.load();
        Set<String> serviceImages = new LinkedHashSet<>();
        Terraform.fields(tf.rootLocal("function_images"), (name, v) -> serviceImages.add(name));
        run.addAll(serviceImages);
        // images of the workspace pod, as the provisioner's code builds it, each with the variable that sets it
        Map<String, String> workspaceImages = WorkspacePod.imageVariables();
        run.addAll(workspaceImages.keySet());

        List<String> problems = new ArrayList<>();
        built.forEach((name, line) -> {
            if (!run.contains(name)) {
                problems.add("cloudbuild.yaml:" + line + ": the image " + name + " is built but no service, "
                        + "workspace pod or build step runs it: deploy it or stop building it");
            }
        });
        for (String name : serviceImages) {
            if (!built.containsKey(name)) {
                problems.add(Repository.where(tf.rootLocalFile("function_images"), name + " =") + ": functions run "
                        + "the image " + name + ", which cloudbuild.yaml does not build");
            }
        }
        workspaceImages.forEach((name, variable) -> {
            boolean external = cloudbuild.contains("_" + name.toUpperCase(java.util.Locale.ROOT) + "_IMAGE:");
            if (!built.containsKey(name) && !external) {
                problems.add("cloudbuild.yaml: the workspace pod runs the image " + name + " (" + variable
                        + "), which is neither built here nor given as the substitution _"
                        + name.toUpperCase(java.util.Locale.ROOT) + "_IMAGE");
            }
            if (!rollout.contains(variable + "=")) {
                problems.add(Repository.relative(ROLLOUT) + ": the release does not hand " + variable + " to the "
                        + "services that start workspaces, so new workspaces would keep the " + name + " image they had");
            }
        });
        return problems;
    }
}
