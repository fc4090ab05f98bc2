package ai.coditect.deploy;

import ai.coditect.deploy.Deployments.Deployment;
import ai.coditect.deploy.FunctionClasses.FunctionClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * terraform/functions.tf against the code: every function class is deployed with its entry point, and starts with
 * the environment its configuration requires (and secrets only where its configuration reads them).
 */
class FunctionsMatchCodeTest {
    /** Variables read by libraries rather than by the configuration: the Kubernetes client's kubeconfig. */
    private static final List<String> READ_ELSEWHERE = List.of("KUBECONFIG");
    private static final List<String> CANDIDATES = List.of("1", "60s", "https://placeholder.example/",
            "fdb:/etc/foundationdb/fdb.cluster", "placeholder");

    @Test
    void everyTerraformFileParses() {
        Problems.assertNone("terraform/ files that do not parse", Terraform.load().errors());
    }

    @Test
    void aBrokenFileIsReportedWithItsFileAndLine(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.tf");
        Files.writeString(broken, "resource \"google_pubsub_topic\" \"t\" {\n  name = \"ok\"\n  labels = \n}\n");
        String error = Hcl.parse(List.of(broken)).get(broken).error();
        assertTrue(error != null && error.contains("broken.tf:3"), "error names file and line: " + error);
    }

    @Test
    void everyFunctionClassIsDeployedWithItsEntryPointAndTrigger() {
        Problems.assertNone("function classes without a matching deployment",
                undeployed(FunctionClasses.inSources(), Deployments.all(Terraform.load())));
    }

    @Test
    void aFunctionClassWithoutDeploymentIsReportedAtTheClass() {
        FunctionClass extra = new FunctionClass("ai.coditect.functions.billing.InvoiceFunction", "http",
                Repository.ROOT.resolve("functions/src/main/java/ai/coditect/functions/billing/InvoiceFunction.java"),
                12);
        List<String> problems = undeployed(List.of(extra), Deployments.all(Terraform.load()));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("functions/src/main/java/ai/coditect/functions/billing/"
                + "InvoiceFunction.java:12: "), problems.get(0));
    }

    @Test
    void aCloudEventsFunctionBehindAPushSubscriptionIsReportedAtItsDeployment() {
        Deployment cleanup = Deployments.all(Terraform.load()).stream().filter(d -> d.name().equals("cleanup"))
                .findFirst().orElseThrow();
        FunctionClass cloudEventsOnly = new FunctionClass(cleanup.entryPoint(), "cloudevent",
                Repository.ROOT.resolve("functions/src/main/java/ai/coditect/functions/cleanup/CleanupFunction.java"),
                9);
        List<String> problems = undeployed(List.of(cloudEventsOnly), List.of(cleanup));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("terraform/functions.tf:" + cleanup.line() + ": ")
                && problems.get(0).contains("PubSubFunction"), problems.get(0));
    }

    @Test
    void deploymentsNameOnlyFunctionsThatExistOrWhoseModuleHasNotLanded() {
        List<FunctionClass> classes = FunctionClasses.inSources();
        List<String> problems = new ArrayList<>();
        for (Deployment d : Deployments.all(Terraform.load())) {
            if (classes.stream().noneMatch(c -> c.className().equals(d.entryPoint()))) {
                String pkg = d.entryPoint().substring(0, d.entryPoint().lastIndexOf('.'));
                if (FunctionClasses.packageExists(pkg)) {
                    problems.add(d.where() + ": function " + d.name() + " runs " + d.entryPoint()
                            + ", which is not a function class of " + pkg + ": renamed or removed?");
                } else {
                    System.out.println("deploy check: " + d.where() + ": " + d.entryPoint()
                            + " is deployed ahead of its code (package " + pkg + " does not exist yet)");
                }
            }
        }
        Problems.assertNone("deployments of functions that do not exist", problems);
    }

    @Test
    void everyFunctionStartsWithTheEnvironmentItsConfigurationRequires() {
        Problems.assertNone("functions whose configuration refuses their terraform environment",
                environmentProblems(FunctionClasses.inSources(), Deployments.all(Terraform.load())));
    }

    @Test
    void aMissingVariableIsReportedWithTheDeploymentsFileAndLine() {
        Deployment auth = Deployments.all(Terraform.load()).stream().filter(d -> d.name().equals("auth"))
                .findFirst().orElseThrow();
        Map<String, String> env = new LinkedHashMap<>(auth.env());
        env.remove("CODITECT_ISSUER");
        Deployment withoutIssuer = new Deployment(auth.name(), auth.entryPoint(), auth.trigger(), env,
                auth.secrets(), auth.file(), auth.line());
        List<String> problems = environmentProblems(FunctionClasses.inSources(), List.of(withoutIssuer));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("terraform/functions.tf:" + auth.line() + ": ")
                && problems.get(0).contains("CODITECT_ISSUER"), problems.get(0));
    }

    @Test
    void aSecretIsMountedOnlyWhereTheConfigurationReadsIt() {
        Deployment cleanup = Deployments.all(Terraform.load()).stream().filter(d -> d.name().equals("cleanup"))
                .findFirst().orElseThrow();
        Map<String, String> secrets = new LinkedHashMap<>(cleanup.secrets());
        secrets.put("CODITECT_UNUSED_TOKEN", "some-secret");
        Deployment overGranted = new Deployment(cleanup.name(), cleanup.entryPoint(), cleanup.trigger(),
                cleanup.env(), secrets, cleanup.file(), cleanup.line());
        List<String> problems = environmentProblems(FunctionClasses.inSources(), List.of(overGranted));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("CODITECT_UNUSED_TOKEN"), problems.get(0));
    }

    static List<String> undeployed(List<FunctionClass> classes, List<Deployment> deployments) {
        List<String> problems = new ArrayList<>();
        for (FunctionClass c : classes) {
            List<Deployment> matching = deployments.stream().filter(d -> d.entryPoint().equals(c.className()))
                    .toList();
            if (matching.isEmpty()) {
                problems.add(c.where() + ": " + c.className() + " is a" + (c.trigger().equals("http") ? "n HTTP"
                        : " Pub/Sub") + " function but terraform/functions.tf deploys no function with entry_point = \""
                        + c.className() + "\": add it to local.functions (and its topic to topics.tf if it consumes one)");
            }
            for (Deployment d : matching) {
                if (c.trigger().equals("cloudevent")) {
                    problems.add(d.where() + ": function " + d.name() + " is reached by a Pub/Sub push subscription, "
                            + "whose plain push body the Functions Framework invoker refuses (500) for a "
                            + "CloudEventsFunction: make " + c.className() + " (" + c.where() + ") extend "
                            + "PubSubFunction, which takes the push body");
                } else if (!d.trigger().equals(c.trigger())) {
                    problems.add(d.where() + ": function " + d.name() + " has trigger = \"" + d.trigger()
                            + "\" but " + c.className() + " (" + c.where() + ") is a " + c.trigger() + " function");
                }
            }
        }
        return problems;
    }

    static List<String> environmentProblems(List<FunctionClass> classes, List<Deployment> deployments) {
        List<String> problems = new ArrayList<>();
        for (Deployment d : deployments) {
            if (classes.stream().noneMatch(c -> c.className().equals(d.entryPoint()))) {
                continue; // reported (or noted as ahead of its code) by the entry point checks
            }
            Class<?> function;
            try {
                function = Class.forName(d.entryPoint(), false, FunctionsMatchCodeTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                problems.add(d.where() + ": " + d.entryPoint() + " is not on the deploy checks' classpath: add the "
                        + "module that holds it as a test dependency in deploy/pom.xml");
                continue;
            }
            Map<String, String> env = new LinkedHashMap<>(d.startEnvironment());
            Map<String, Integer> tried = new LinkedHashMap<>();
            ConfigProbe.Outcome outcome = ConfigProbe.run(function, env);
            // a value that terraform only knows at apply time stands in as a placeholder; try plausible forms
            while (outcome.refused() != null && env.getOrDefault(outcome.refused(), "").contains("placeholder")
                    && tried.merge(outcome.refused(), 1, Integer::sum) <= CANDIDATES.size()) {
                env.put(outcome.refused(), CANDIDATES.get(tried.get(outcome.refused()) - 1));
                outcome = ConfigProbe.run(function, env);
            }
            String factory = outcome.factory().getDeclaringClass().getSimpleName() + "." + outcome.factory().getName();
            if (outcome.missing() != null) {
                problems.add(d.where() + ": function " + d.name() + " (" + d.entryPoint() + ") needs "
                        + outcome.missing() + " but its deployment does not set it: add it to env (or to secrets "
                        + "if it is one). " + factory + " says: " + outcome.message());
            } else if (outcome.refused() != null) {
                problems.add(d.where() + ": function " + d.name() + ": " + factory + " refuses its environment ("
                        + outcome.refused() + "=" + env.get(outcome.refused()) + "): " + outcome.message());
            } else {
                System.out.println("deploy check: " + d.name() + " (" + d.entryPoint() + "): " + factory + " reads "
                        + outcome.read());
                // harmless but probably a typo or left over: say so without failing
                Set<String> read = outcome.read();
                d.env().keySet().stream().filter(v -> !read.contains(v) && !READ_ELSEWHERE.contains(v))
                        .forEach(v -> System.out.println("deploy check: " + d.where() + ": function " + d.name()
                                + " sets " + v + ", which its configuration never reads (a typo, or left over?)"));
                for (String secret : d.secrets().keySet()) {
                    if (!outcome.read().contains(secret)) {
                        problems.add(d.where() + ": function " + d.name() + " is given the secret "
                                + d.secrets().get(secret) + " as " + secret + " but its configuration (" + factory
                                + ") never reads " + secret + ": remove it from secrets");
                    }
                }
            }
        }
        return problems;
    }
}
