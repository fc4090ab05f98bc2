package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Least privilege in terraform/ and cloudbuild.yaml: no primitive roles, and one service account per service. */
class IamTest {
    private static final Pattern PRIMITIVE = Pattern.compile("roles/(owner|editor|viewer)\\b");
    /** Attributes that make a service account the identity something runs or calls as. */
    private static final List<String> IDENTITY_ATTRIBUTES = List.of("service_account", "service_account_email");

    @Test
    void noPrimitiveRoleIsGrantedAnywhere() {
        Problems.assertNone("primitive roles", primitiveRoles(deployFiles()));
    }

    @Test
    void aPrimitiveRoleIsReportedWithItsFileAndLine() {
        Path iam = Terraform.DIR.resolve("modules/function/main.tf");
        String line = Repository.read(iam).lines().filter(l -> l.contains("roles/run.invoker")).findFirst()
                .orElseThrow();
        List<String> problems = primitiveRoles(Map.of(iam, Repository.read(iam).replace(line,
                line.replace("roles/run.invoker", "roles/editor"))));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("terraform/modules/function/main.tf:"
                + Repository.lineOf(Repository.read(iam), "roles/run.invoker") + ": "), problems.get(0));
    }

    @Test
    void everyServiceAccountIsTheIdentityOfExactlyOneService() {
        Problems.assertNone("service accounts shared between services",
                sharedServiceAccounts(Terraform.load().resources()));
    }

    @Test
    void twoServicesRunningAsOneServiceAccountAreReported(@TempDir Path dir) throws java.io.IOException {
        Path shared = dir.resolve("shared.tf");
        java.nio.file.Files.writeString(shared, """
                resource "google_service_account" "app" {
                  account_id = "app"
                }

                resource "google_cloud_run_v2_service" "one" {
                  template {
                    service_account = google_service_account.app.email
                  }
                }

                resource "google_cloud_run_v2_service" "two" {
                  template {
                    service_account = google_service_account.app.email
                  }
                }
                """);
        com.fasterxml.jackson.databind.JsonNode json = Hcl.parse(List.of(shared)).get(shared).json();
        List<Terraform.Resource> resources = new ArrayList<>();
        Terraform.fields(json.path("resource"), (type, byName) -> Terraform.fields(byName, (name, bodies) ->
                bodies.forEach(b -> resources.add(new Terraform.Resource(shared, type, name, b)))));
        List<String> problems = sharedServiceAccounts(resources);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("shared.tf:11: ") && problems.get(0).contains("google_cloud_run_v2_service.one"),
                problems.get(0));
    }

    @Test
    void everyServiceAccountIdIsDistinct() {
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Terraform.Resource r : Terraform.load().resources("google_service_account")) {
            String id = r.body().path("account_id").asText();
            String before = ids.putIfAbsent(id, r.where());
            if (before != null) {
                problems.add(r.where() + ": account_id " + id + " is also used at " + before);
            }
            if (!r.body().has("for_each") && id.contains("${") && !id.contains("var.name")) {
                problems.add(r.where() + ": account_id " + id + " must name one service");
            }
        }
        Problems.assertNone("service account ids", problems);
    }

    static Map<Path, String> deployFiles() {
        Map<Path, String> files = new LinkedHashMap<>();
        Repository.files(Terraform.DIR, ".tf").forEach(f -> files.put(f, Repository.read(f)));
        Path cloudbuild = Repository.ROOT.resolve("cloudbuild.yaml");
        if (java.nio.file.Files.exists(cloudbuild)) {
            files.put(cloudbuild, Repository.read(cloudbuild));
        }
        Repository.files(Repository.ROOT.resolve("deploy/scripts"), ".sh").forEach(f -> files.put(f,
                Repository.read(f)));
        return files;
    }

    static List<String> primitiveRoles(Map<Path, String> files) {
        List<String> problems = new ArrayList<>();
        files.forEach((file, text) -> {
            java.util.regex.Matcher m = PRIMITIVE.matcher(text);
            while (m.find()) {
                problems.add(Repository.relative(file) + ":" + Repository.lineAt(text, m.start()) + ": "
                        + m.group() + " is a primitive role: grant the predefined roles the service needs instead");
            }
        });
        return problems;
    }

    /**
     * Each expression that names a service account as an identity (a Cloud Run service's, a node pool's, a push
     * subscription's, a scheduler job's, a workflow's) appears in one resource block only; for_each blocks use
     * their own instance's account.
     */
    static List<String> sharedServiceAccounts(List<Terraform.Resource> resources) {
        Map<String, String> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Terraform.Resource r : resources) {
            List<String> found = new ArrayList<>();
            collect(r.body(), found);
            for (String expr : found) {
                String scoped = Repository.relative(r.file().getParent()) + " " + expr;
                String before = users.putIfAbsent(scoped, r.address());
                if (before != null && !before.equals(r.address())) {
                    problems.add(r.where() + ": " + r.address() + " runs as " + expr + ", which " + before
                            + " runs as too: give each service its own service account");
                }
                if (r.body().has("for_each") && expr.contains("[") && !expr.contains("[each.key]")) {
                    problems.add(r.where() + ": each instance of " + r.address() + " needs its own service account");
                }
            }
        }
        return problems;
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node.isObject()) {
            Terraform.fields(node, (k, v) -> {
                if (IDENTITY_ATTRIBUTES.contains(k) && v.isTextual()) {
                    out.add(v.asText());
                } else {
                    collect(v, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        }
    }
}
