package ai.coditect.deploy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/scripts/rollout.sh (and smoke.sh) run by bash as Cloud Build runs them, with stand-ins for gcloud, curl
 * and sleep first on PATH (src/test/resources/rollout): the traffic moves are read from the recorded gcloud calls.
 */
class RolloutScriptTest {
    private static final Path ROLLOUT = Repository.ROOT.resolve("deploy/scripts/rollout.sh");
    private static final String SUFFIX = "c-1a2b3c4";
    private static final String RUNNING = "europe-west1-docker.pkg.dev/p/coditect/functions@sha256:" + "1".repeat(64);
    private static final String BUILT = "europe-west1-docker.pkg.dev/p/coditect/functions@sha256:" + "2".repeat(64);

    @TempDir
    Path dir;
    private Path fake;

    record Run(int status, String output) {
    }

    @BeforeEach
    void platformWithTwoServicesAndABuiltImage() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("gcloud", "curl", "sleep")) {
            try (InputStream in = getClass().getResourceAsStream("/rollout/" + tool)) {
                Path target = bin.resolve(tool);
                Files.write(target, in.readAllBytes());
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        fake = Files.createDirectories(dir.resolve("fake"));
        Files.createDirectories(fake.resolve("metrics"));
        Files.createDirectories(fake.resolve("revisions"));
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(Files.createDirectories(dir.resolve("digests")).resolve("functions"), BUILT + "\n");
        services(Map.of("auth", "CODITECT_SIGNING_KEYS", "jwks", "CODITECT_PUBLIC_KEYS"));
    }

    /** The platform's services, each with the one environment variable it reads (besides its function's own). */
    private void services(Map<String, String> readsEnv) throws IOException {
        List<String> names = readsEnv.keySet().stream().sorted().toList();
        Files.writeString(fake.resolve("services"), names.isEmpty() ? "" : String.join("\n", names) + "\n");
        for (String s : names) {
            write(s + ".serving", s + "-00001-old");
            write(s + ".image", RUNNING);
            write(s + ".env", "FUNCTION_TARGET;" + readsEnv.get(s));
            write("revisions/" + s + "-00001-old.image", RUNNING);
        }
    }

    private void write(String file, String content) throws IOException {
        Files.writeString(fake.resolve(file), content + "\n");
    }

    private Run rollout(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", ROLLOUT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PATH", dir.resolve("bin") + java.io.File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("FAKE", fake.toString());
        env.put("PROJECT", "p");
        env.put("REGION", "europe-west1");
        env.put("STATE", dir.resolve("state").toString());
        env.put("DIGESTS", dir.resolve("digests").toString());
        env.put("REVISION_SUFFIX", SUFFIX);
        env.put("RELEASE", "1a2b3c4d");
        env.put("STEP_WAIT_SECONDS", "300");
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("rollout.sh " + String.join(" ", args) + " did not end");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Run succeeds(String... args) {
        Run run = rollout(args);
        assertEquals(0, run.status(), () -> "rollout.sh " + String.join(" ", args) + ":\n" + run.output());
        return run;
    }

    private Run fails(String... args) {
        Run run = rollout(args);
        assertEquals(1, run.status(), () -> "rollout.sh " + String.join(" ", args) + ":\n" + run.output());
        return run;
    }

    private List<String> calls(String tool) {
        try {
            Path log = fake.resolve(tool + ".log");
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every traffic move, as "service: revision=percent,…". */
    private List<String> trafficMoves() {
        return calls("gcloud").stream().filter(c -> c.startsWith("run services update-traffic "))
                .map(c -> c.split(" ")[3] + ": " + c.substring(c.indexOf("--to-revisions ") + 15))
                .toList();
    }

    private static List<String> steps(int... percents) {
        List<String> moves = new ArrayList<>();
        for (int percent : percents) {
            for (String s : List.of("auth", "jwks")) {
                moves.add(s + ": " + s + "-" + SUFFIX + "=" + percent
                        + (percent < 100 ? "," + s + "-00001-old=" + (100 - percent) : ""));
            }
        }
        return moves;
    }

    private static final List<String> BACK = List.of("auth: auth-00001-old=100", "jwks: jwks-00001-old=100");

    private static List<String> then(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @Test
    void aHealthyCandidateGoesTo10Then50Then100PercentWaitingAfterEachStepButTheLast() {
        succeeds("candidates");
        succeeds("smoke", "https://candidate.coditect.example");
        succeeds("gradually", "10", "50", "100");
        assertEquals(steps(10, 50, 100), trafficMoves());
        assertEquals(List.of("300", "300"), calls("sleep"));
        assertTrue(calls("gcloud").contains("run deploy auth --project p --region europe-west1 --quiet --image "
                + BUILT + " --revision-suffix " + SUFFIX + " --no-traffic --tag candidate"), calls("gcloud").toString());
    }

    @Test
    void anErrorRateAboveTheAllowanceAt10PercentMovesEveryServiceBackToItsPreviousRevision() throws IOException {
        succeeds("candidates");
        write("metrics/auth-" + SUFFIX + ".errors", "50"); // 5 % of 1,000 requests, the old revision 0 %
        Run run = fails("gradually", "10", "50", "100");
        assertEquals(then(steps(10), BACK), trafficMoves());
        assertTrue(run.output().contains("errors 0.0500 new vs 0.0000 old"), run.output());
    }

    @Test
    void aCandidateWhoseP95IsFarAboveTheOldOnesIsRolledBack() throws IOException {
        succeeds("candidates");
        write("metrics/jwks-" + SUFFIX + ".p95", "400"); // the old revision: 100 ms
        fails("gradually", "10", "50", "100");
        assertEquals(then(steps(10), BACK), trafficMoves());
    }

    @Test
    void aMetricsQueryThatFailsIsNotTakenForHealthTheCandidateIsRolledBack() throws IOException {
        succeeds("candidates");
        write("metrics-fail", "");
        Run run = fails("gradually", "10", "50", "100");
        assertEquals(then(steps(10), BACK), trafficMoves());
        assertTrue(run.output().contains("could not be read"), run.output());
    }

    @Test
    void aServiceListingThatFailsHalfwayRollsEveryServiceBack() throws IOException {
        succeeds("candidates"); // listing 1
        write("list-fails-at", "3"); // listing 2 is the 10 % step's, 3 the 50 % step's
        fails("gradually", "10", "50", "100");
        assertEquals(then(steps(10), BACK), trafficMoves());
    }

    @Test
    void aSmokeTestFailureKeepsEveryServiceOnItsPreviousRevisionAndFailsTheBuild() throws IOException {
        succeeds("candidates");
        write("http-fail", "POST /v1/auth/signup");
        Run run = fails("smoke", "https://candidate.coditect.example");
        assertTrue(run.output().contains("smoke: FAILED: signup"), run.output());
        assertEquals(BACK, trafficMoves());
    }

    @Test
    void theFirstReleaseRecordsItsImagesWithoutWaitingOrPublishingTheWebApp() throws IOException {
        services(Map.of());
        succeeds("candidates");
        succeeds("smoke", "https://candidate.coditect.example");
        succeeds("gradually", "10", "50", "100");
        succeeds("record");
        succeeds("web", "web/dist");
        assertEquals(List.of(), trafficMoves());
        assertEquals(List.of(), calls("sleep"));
        assertEquals(List.of(), calls("curl"));
        List<String> copies = calls("gcloud").stream().filter(c -> c.startsWith("storage ")).toList();
        assertEquals(2, copies.size(), copies.toString());
        assertTrue(copies.get(1).endsWith("gs://p-tfstate/releases/current.auto.tfvars.json"), copies.toString());
        assertTrue(Files.readString(dir.resolve("state/release.auto.tfvars.json")).contains(BUILT));
    }

    @Test
    void aLaterReleasePublishesTheWebApp() {
        succeeds("candidates");
        succeeds("web", "web/dist");
        assertTrue(calls("gcloud").contains(
                "storage rsync --recursive --delete-unmatched-destination-objects web/dist gs://p-web"),
                calls("gcloud").toString());
    }

    @Test
    void restartingForNewKeysStartsEveryServiceThatReadsThemOnTheImageItServesWithAllItsTraffic() throws IOException {
        services(Map.of("auth", "CODITECT_SIGNING_KEYS", "jwks", "CODITECT_PUBLIC_KEYS",
                "knowledge", "CODITECT_PUBLIC_KEYS", "provision", "CODITECT_STORE"));
        write("auth.image", BUILT); // the template of a candidate that was rolled back: not what serves
        succeeds("restart-keys");
        List<String> deploys = calls("gcloud").stream().filter(c -> c.startsWith("run deploy ")).toList();
        assertEquals(List.of("auth", "jwks", "knowledge"), deploys.stream().map(c -> c.split(" ")[2]).toList());
        deploys.forEach(c -> assertTrue(c.contains("--image " + RUNNING + " ") && c.contains("--no-traffic"), c));
        List<String> moves = trafficMoves();
        assertEquals(3, moves.size(), moves.toString());
        for (int i = 0; i < moves.size(); i++) {
            String s = List.of("auth", "jwks", "knowledge").get(i);
            assertTrue(moves.get(i).matches(s + ": " + s + "-k-\\d{14}=100"), moves.get(i));
        }
    }
}
