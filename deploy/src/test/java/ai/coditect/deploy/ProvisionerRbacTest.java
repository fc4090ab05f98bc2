package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.ApiClient;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provisioner's ClusterRole (terraform/modules/gke/rbac.tf) grants exactly what the code uses. The use is
 * derived from the code: every call of the official client's typed API ({@code core.createNamespacedPod(…)}) in
 * the main sources is made once more against a client that only builds the request, and the request's method and
 * path give the verb, API group and resource, just as the API server's authorizer sees them.
 */
class ProvisionerRbacTest {
    private static final Path RBAC = Terraform.DIR.resolve("modules/gke/rbac.tf");
    private static final Pattern API_IMPORT = Pattern.compile("import\\s+io\\.kubernetes\\.client\\.openapi\\.apis\\.(\\w+Api)\\s*;");
    private static final Pattern CALL = Pattern.compile("\\.\\s*([a-z]\\w*)\\s*\\(");

    /** One permission: verb on group/resource. */
    record Grant(String group, String resource, String verb) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
        }
    }

    @Test
    void theProvisionerRoleGrantsEveryKindAndVerbTheCodeUsesAndNothingMore() throws Exception {
        Map<Grant, String> used = usedByCode();
        assertTrue(used.size() >= 5, "the workspace code makes Kubernetes calls: " + used);
        System.out.println("deploy check: the provisioner's Kubernetes calls need " + used.keySet());
        Problems.assertNone("coditect-provisioner against the code", compare(used, granted()));
    }

    @Test
    void aCallTheRoleDoesNotGrantAndAGrantTheCodeDoesNotUseAreBothReported() throws Exception {
        Map<Grant, String> used = new TreeMap<>(usedByCode());
        used.put(new Grant("apps", "deployments", "create"), "functions/src/main/java/X.java:7");
        Map<Grant, String> granted = new TreeMap<>(granted());
        Grant unused = used.keySet().stream().filter(g -> g.resource().equals("namespaces")).findFirst()
                .orElseThrow();
        used.remove(unused);
        List<String> problems = compare(used, granted);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("functions/src/main/java/X.java:7: ")
                && p.contains("create apps/deployments")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("terraform/modules/gke/rbac.tf:")
                && p.contains(unused.toString())), problems.toString());
    }

    static List<String> compare(Map<Grant, String> used, Map<Grant, String> granted) {
        List<String> problems = new ArrayList<>();
        used.forEach((g, where) -> {
            if (!granted.containsKey(g)) {
                problems.add(where + ": the provisioner calls " + g + " but " + Repository.relative(RBAC)
                        + " (coditect-provisioner) does not grant it: add a rule");
            }
        });
        granted.forEach((g, where) -> {
            if (!used.containsKey(g)) {
                problems.add(where + ": coditect-provisioner grants " + g + ", which the code never uses: remove it");
            }
        });
        return problems;
    }

    /** The role's rules from rbac.tf, each grant with the line of its rule. */
    static Map<Grant, String> granted() {
        return granted("provisioner");
    }

    /** The rules of the ClusterRole resource {@code name} in rbac.tf, each grant with the line of its rule. */
    static Map<Grant, String> granted(String name) {
        Terraform tf = Terraform.load();
        Terraform.Resource role = tf.resources("kubernetes_cluster_role_v1").stream()
                .filter(r -> r.file().equals(RBAC) && r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(Repository.relative(RBAC)
                        + ": no kubernetes_cluster_role_v1." + name));
        String text = Repository.read(RBAC);
        int from = text.indexOf("resource \"kubernetes_cluster_role_v1\" \"" + name + "\"");
        Map<Grant, String> out = new TreeMap<>();
        int ruleIndex = 0;
        for (JsonNode rule : role.body().path("rule")) {
            int at = from;
            for (int i = 0; i <= ruleIndex; i++) {
                at = text.indexOf("rule {", at + 1);
            }
            String where = Repository.relative(RBAC) + ":" + Repository.lineAt(text, at);
            for (JsonNode group : rule.path("api_groups")) {
                for (JsonNode resource : rule.path("resources")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        out.put(new Grant(group.asText(), resource.asText(), verb.asText()), where);
                    }
                }
            }
            ruleIndex++;
        }
        return out;
    }

    /** Every typed API call in the main sources, as the grant it needs, with where it is made. */
    static Map<Grant, String> usedByCode() throws Exception {
        ApiClient offline = new ApiClient();
        offline.setBasePath("http://kubernetes.invalid");
        Map<Grant, String> out = new TreeMap<>();
        for (Path file : Repository.mainSources()) {
            String src = Repository.read(file);
            Map<String, Object> apis = new LinkedHashMap<>();
            Matcher imports = API_IMPORT.matcher(src);
            while (imports.find()) {
                Class<?> type = Class.forName("io.kubernetes.client.openapi.apis." + imports.group(1));
                apis.put(imports.group(1), type.getConstructor(ApiClient.class).newInstance(offline));
            }
            if (apis.isEmpty()) {
                continue;
            }
            Matcher call = CALL.matcher(src);
            while (call.find()) {
                for (Object api : apis.values()) {
                    for (Method m : api.getClass().getMethods()) {
                        if (m.getName().equals(call.group(1)) && m.getReturnType().getSimpleName().startsWith("API")
                                && m.getReturnType().getSimpleName().endsWith("Request")) {
                            Grant g = grantOf(request(api, m));
                            out.putIfAbsent(g, Repository.relative(file) + ":" + Repository.lineAt(src, call.start()));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Request request(Object api, Method m) throws Exception {
        Object[] args = new Object[m.getParameterCount()];
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            args[i] = sample(types[i]);
        }
        Object builder = m.invoke(api, args);
        Call call = (Call) builder.getClass().getMethod("buildCall", io.kubernetes.client.openapi.ApiCallback.class)
                .invoke(builder, (Object) null);
        return call.request();
    }

    private static Object sample(Class<?> type) throws Exception {
        if (type == String.class) {
            return "x";
        }
        if (Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
            return null;
        }
        Constructor<?> c = type.getConstructor();
        return c.newInstance();
    }

    /** Verb, group and resource of a request, as Kubernetes' authorizer derives them. */
    static Grant grantOf(Request request) {
        HttpUrl url = request.url();
        List<String> segments = url.pathSegments();
        String group;
        List<String> rest;
        if (segments.get(0).equals("api")) {
            group = "";
            rest = segments.subList(2, segments.size());
        } else {
            group = segments.get(1);
            rest = segments.subList(3, segments.size());
        }
        String resource;
        String name = null;
        String sub = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            resource = rest.get(2);
            name = rest.size() > 3 ? rest.get(3) : null;
            sub = rest.size() > 4 ? rest.get(4) : null;
        } else {
            resource = rest.get(0);
            name = rest.size() > 1 ? rest.get(1) : null;
            sub = rest.size() > 2 ? rest.get(2) : null;
        }
        if (sub != null) {
            resource = resource + "/" + sub;
        }
        boolean watch = "true".equals(url.queryParameter("watch"));
        String verb = switch (request.method()) {
            case "GET" -> name != null ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> throw new IllegalStateException("unexpected method " + request.method());
        };
        return new Grant(group, resource, verb);
    }

    @Test
    void requestsMapToTheVerbsOfTheAuthorizer() {
        assertEquals(new Grant("", "namespaces", "delete"), grantOf(new Request.Builder()
                .url("http://k/api/v1/namespaces/ws-a").delete().build()));
        assertEquals(new Grant("", "pods", "list"), grantOf(new Request.Builder()
                .url("http://k/api/v1/namespaces/ws-a/pods").get().build()));
        assertEquals(new Grant("", "pods", "watch"), grantOf(new Request.Builder()
                .url("http://k/api/v1/namespaces/ws-a/pods?watch=true").get().build()));
        assertEquals(new Grant("networking.k8s.io", "networkpolicies", "create"), grantOf(new Request.Builder()
                .url("http://k/apis/networking.k8s.io/v1/namespaces/ws-a/networkpolicies")
                .post(okhttp3.RequestBody.create(new byte[0])).build()));
        assertEquals(new Grant("", "pods/status", "patch"), grantOf(new Request.Builder()
                .url("http://k/api/v1/namespaces/ws-a/pods/p/status")
                .patch(okhttp3.RequestBody.create(new byte[0])).build()));
    }
}
