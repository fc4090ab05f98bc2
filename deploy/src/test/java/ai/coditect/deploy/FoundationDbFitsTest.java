package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every environment's system pool can hold what runs on it: the FoundationDB cluster's pods (as many as the operator
 * makes for the FoundationDBCluster in terraform/, at the sizes the environment sets), the operator and the
 * workspace router, placed node by node.
 */
class FoundationDbFitsTest {
    private static final Path FDB = Terraform.DIR.resolve("modules/foundationdb/main.tf");
    private static final Path INGRESS = Terraform.DIR.resolve("modules/workspace-ingress/main.tf");
    /** A regional cluster in europe-west1 has its node pools in 3 zones; system_nodes counts per zone. */
    private static final int ZONES = 3;
    /**
     * Log processes the operator runs with double redundancy when the cluster does not say: 3 logs (its default
     * role count) and 1 for the fault tolerance of double redundancy (fdb-kubernetes-operator,
     * GetProcessCountsWithDefaults).
     */
    private static final int DEFAULT_LOGS = 4;
    /** Its stateless processes then: master, cluster controller, resolver, ratekeeper, data distributor, 3 proxies, 1 spare. */
    private static final int DEFAULT_STATELESS = 9;
    /** Machine types a system pool may use: vCPU and GiB. */
    private static final Map<String, double[]> MACHINES = Map.of(
            "e2-standard-2", new double[] {2, 8},
            "e2-standard-4", new double[] {4, 16},
            "e2-standard-8", new double[] {8, 32});
    /**
     * What GKE's own pods on each node ask for (kube-proxy or anetd, the logging and metrics agents, the CSI node
     * driver, kube-dns, konnectivity): an allowance, not a measurement.
     */
    private static final double[] GKE_PODS_PER_NODE = {0.4, 0.5};

    record Pod(String what, double cpu, double gib) {
    }

    /** GKE Standard's allocatable share of a node (its documented reservations, and 100 MiB for eviction). */
    static double[] allocatable(double cpus, double gib) {
        double cpuReserved = 0.06 * Math.min(cpus, 1) + 0.01 * clamp(cpus - 1, 1) + 0.005 * clamp(cpus - 2, 2)
                + 0.0025 * Math.max(cpus - 4, 0);
        double memReserved = 0.25 * Math.min(gib, 4) + 0.2 * clamp(gib - 4, 4) + 0.1 * clamp(gib - 8, 8)
                + 0.06 * clamp(gib - 16, 112) + 0.02 * Math.max(gib - 128, 0) + 100.0 / 1024;
        return new double[] {cpus - cpuReserved, gib - memReserved};
    }

    private static double clamp(double v, double max) {
        return Math.max(0, Math.min(v, max));
    }

    static double cpu(String q) {
        return q.endsWith("m") ? Double.parseDouble(q.substring(0, q.length() - 1)) / 1000 : Double.parseDouble(q);
    }

    static double gib(String q) {
        if (q.endsWith("Gi")) {
            return Double.parseDouble(q.substring(0, q.length() - 2));
        }
        if (q.endsWith("Mi")) {
            return Double.parseDouble(q.substring(0, q.length() - 2)) / 1024;
        }
        throw new IllegalArgumentException("a memory quantity in Mi or Gi: " + q);
    }

    /**
     * Resolves a value of the foundationdb module: a literal, or "${var.x}" through the root module's argument and
     * then the environment's argument or the root variable's default.
     */
    private static JsonNode resolve(JsonNode value, Terraform tf, JsonNode envPlatform) {
        String ref = variable(value);
        if (ref == null) {
            return value;
        }
        JsonNode rootArgument = moduleBlock(tf.json(Terraform.DIR.resolve("main.tf")), "foundationdb").get(ref);
        String rootRef = variable(rootArgument);
        if (rootRef == null) {
            return rootArgument;
        }
        if (envPlatform.has(rootRef)) {
            return envPlatform.get(rootRef);
        }
        JsonNode variable = tf.json(Terraform.DIR.resolve("variables.tf")).path("variable").path(rootRef).path(0);
        if (!variable.has("default")) {
            throw new AssertionError("terraform/variables.tf: " + rootRef + " has no default and the environment "
                    + "does not set it");
        }
        return variable.get("default");
    }

    private static String variable(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        Matcher m = Pattern.compile("^\\$\\{var\\.([a-z0-9_]+)}$").matcher(value.asText());
        return m.matches() ? m.group(1) : null;
    }

    private static JsonNode moduleBlock(JsonNode file, String name) {
        return file.path("module").path(name).path(0);
    }

    /** The pods of the system pool in one environment, biggest first. */
    static List<Pod> systemPods(Terraform tf, JsonNode envPlatform) {
        JsonNode spec = tf.json(FDB).path("resource").path("kubernetes_manifest").path("cluster").path(0)
                .path("manifest").path("spec");
        JsonNode counts = spec.path("processCounts");
        int storage = resolve(counts.path("storage"), tf, envPlatform).asInt();
        int logs = counts.has("log") ? resolve(counts.get("log"), tf, envPlatform).asInt() : 0;
        int stateless = counts.has("stateless") ? resolve(counts.get("stateless"), tf, envPlatform).asInt() : 0;
        logs = logs == 0 ? DEFAULT_LOGS : Math.max(logs, 0);
        stateless = stateless == 0 ? DEFAULT_STATELESS : Math.max(stateless, 0);
        double cpu = 0;
        double mem = 0;
        for (JsonNode container : spec.path("processes").path("general").path("podTemplate").path("spec")
                .path("containers")) {
            JsonNode requests = resolve(container.get("resources"), tf, envPlatform).path("requests");
            cpu += cpu(requests.path("cpu").asText("0"));
            mem += gib(requests.path("memory").asText("0Mi"));
        }
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < storage + logs + stateless; i++) {
            pods.add(new Pod("FoundationDB process " + (i + 1) + " of " + (storage + logs + stateless), cpu, mem));
        }
        Matcher operator = Pattern.compile("(?s)resource \"helm_release\" \"operator\".*?requests\\s*=\\s*\\{\\s*"
                + "cpu\\s*=\\s*\"([^\"]+)\",\\s*memory\\s*=\\s*\"([^\"]+)\"").matcher(Repository.read(FDB));
        assertTrue(operator.find(), "modules/foundationdb/main.tf: the operator's requests are where this check reads them");
        pods.add(new Pod("the FoundationDB operator", cpu(operator.group(1)), gib(operator.group(2))));
        JsonNode router = tf.json(INGRESS).path("resource").path("kubernetes_deployment_v1").path("router").path(0)
                .path("spec").path(0);
        JsonNode routerRequests = router.path("template").path(0).path("spec").path(0).path("container").path(0)
                .path("resources").path(0).path("requests");
        if (routerRequests.isMissingNode()) {
            routerRequests = router.path("template").path(0).path("spec").path(0).path("container").path(0)
                    .path("resources").path("requests");
        }
        for (int i = 0; i < router.path("replicas").asInt(); i++) {
            pods.add(new Pod("the workspace router", cpu(routerRequests.path("cpu").asText()),
                    gib(routerRequests.path("memory").asText())));
        }
        pods.sort(Comparator.comparingDouble(Pod::gib).thenComparingDouble(Pod::cpu).reversed());
        return pods;
    }

    /** First fit, biggest pod first; the pods that found no node. */
    static List<Pod> unplaced(List<Pod> pods, int nodes, double[] capacity) {
        double[][] free = new double[nodes][];
        for (int i = 0; i < nodes; i++) {
            free[i] = capacity.clone();
        }
        List<Pod> left = new ArrayList<>();
        for (Pod pod : pods) {
            boolean placed = false;
            for (double[] node : free) {
                if (node[0] >= pod.cpu() - 1e-9 && node[1] >= pod.gib() - 1e-9) {
                    node[0] -= pod.cpu();
                    node[1] -= pod.gib();
                    placed = true;
                    break;
                }
            }
            if (!placed) {
                left.add(pod);
            }
        }
        return left;
    }

    private static String envSetting(JsonNode envPlatform, Terraform tf, String name) {
        if (envPlatform.has(name)) {
            return envPlatform.get(name).asText();
        }
        return tf.json(Terraform.DIR.resolve("variables.tf")).path("variable").path(name).path(0).path("default")
                .asText();
    }

    @Test
    void everyEnvironmentsSystemPoolHoldsFoundationDbTheOperatorAndTheRouter() throws Exception {
        Terraform tf = Terraform.load();
        List<String> problems = new ArrayList<>();
        List<Path> envs;
        try (var s = Files.list(Terraform.DIR.resolve("envs"))) {
            envs = s.map(d -> d.resolve("main.tf")).filter(Files::exists).sorted().toList();
        }
        assertTrue(envs.size() >= 2, "terraform/envs holds dev and prod");
        for (Path env : envs) {
            JsonNode platform = moduleBlock(tf.json(env), "platform");
            String machine = envSetting(platform, tf, "system_machine_type");
            int nodes = ZONES * Integer.parseInt(envSetting(platform, tf, "system_nodes"));
            double[] size = MACHINES.get(machine);
            if (size == null) {
                problems.add(Repository.relative(env) + ": system pool machine " + machine
                        + " is not in FoundationDbFitsTest.MACHINES");
                continue;
            }
            double[] a = allocatable(size[0], size[1]);
            double[] capacity = {a[0] - GKE_PODS_PER_NODE[0], a[1] - GKE_PODS_PER_NODE[1]};
            List<Pod> pods = systemPods(tf, platform);
            List<Pod> left = unplaced(pods, nodes, capacity);
            double askedCpu = pods.stream().mapToDouble(Pod::cpu).sum();
            double askedGib = pods.stream().mapToDouble(Pod::gib).sum();
            String figures = String.format(java.util.Locale.ROOT, "%d pods ask %.2f vCPU and %.1f GiB; %d x %s "
                            + "offer %.2f vCPU and %.1f GiB each after GKE's own pods",
                    pods.size(), askedCpu, askedGib, nodes, machine, capacity[0], capacity[1]);
            System.out.println(Repository.relative(env) + ": " + figures);
            if (!left.isEmpty()) {
                problems.add(Repository.where(env, "module \"platform\"") + ": the system pool cannot hold "
                        + left.size() + " pod(s) (" + left.get(0).what() + ", "
                        + String.format(java.util.Locale.ROOT, "%.2f vCPU, %.2f GiB", left.get(0).cpu(), left.get(0).gib())
                        + "): " + figures + ". Set fdb_process_resources / fdb_stateless_processes, or a larger pool");
            }
        }
        Problems.assertNone("system pool", problems);
    }

    @Test
    void allocatableFollowsGkesReservations() {
        double[] e2s4 = allocatable(4, 16);
        assertTrue(Math.abs(e2s4[0] - 3.92) < 0.001, () -> "cpu " + e2s4[0]);
        assertTrue(Math.abs(e2s4[1] - (16 - 2.6 - 100.0 / 1024)) < 0.001, () -> "memory " + e2s4[1]);
    }

    @Test
    void aPodThatFitsNoNodeIsLeftOver() {
        List<Pod> pods = List.of(new Pod("big", 1, 4), new Pod("big", 1, 4), new Pod("big", 1, 4));
        assertTrue(unplaced(pods, 2, new double[] {2, 6}).size() == 1);
    }
}
