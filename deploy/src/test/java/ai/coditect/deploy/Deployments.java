package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The functions terraform deploys (local.functions in terraform/functions.tf), with their environments resolved. */
final class Deployments {
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern REFERENCE = Pattern.compile("(local|var)\\.([A-Za-z0-9_]+)");

    private Deployments() {
    }

    /** One deployed function: env holds plain values (references resolved), secrets env var -> secret id. */
    record Deployment(String name, String entryPoint, String trigger, Map<String, String> env,
                      Map<String, String> secrets, Path file, int line) {
        String where() {
            return Repository.relative(file) + ":" + line;
        }

        /** The environment the function starts with: plain values, and a stand-in for each secret's value. */
        Map<String, String> startEnvironment() {
            Map<String, String> all = new LinkedHashMap<>(env);
            secrets.forEach((var, secret) -> all.put(var, "(secret " + secret + ")"));
            return all;
        }
    }

    static List<Deployment> all(Terraform tf) {
        Path file = tf.rootLocalFile("functions");
        String text = Repository.read(file);
        List<Deployment> out = new ArrayList<>();
        Terraform.fields(tf.rootLocal("functions"), (name, f) -> {
            Map<String, String> env = new LinkedHashMap<>();
            Terraform.strings(f.path("env")).forEach((k, v) -> env.put(k, resolve(tf, v, 0)));
            int line = Repository.lineOf(text, "\n    " + name + " = {") + 1;
            out.add(new Deployment(name, f.path("entry_point").asText(), f.path("trigger").asText(), env,
                    Terraform.strings(f.path("secrets")), file, line));
        });
        return out;
    }

    /**
     * Replaces references to root locals and variables (with defaults) by their values; anything else becomes a
     * placeholder, since only whether a variable is set and well-formed matters to the configuration.
     */
    static String resolve(Terraform tf, String value, int depth) {
        if (depth > 10) {
            return value;
        }
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String expr = m.group(1).trim();
            Matcher ref = REFERENCE.matcher(expr);
            String replacement = "placeholder";
            if (ref.matches()) {
                JsonNode resolved = ref.group(1).equals("local") ? local(tf, ref.group(2)) : variableDefault(tf,
                        ref.group(2));
                replacement = resolved != null && resolved.isValueNode()
                        ? resolve(tf, resolved.asText(), depth + 1) : "placeholder-" + ref.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode local(Terraform tf, String name) {
        try {
            return tf.rootLocal(name);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static JsonNode variableDefault(Terraform tf, String name) {
        JsonNode vars = tf.json(Terraform.DIR.resolve("variables.tf")).path("variable").path(name);
        return vars.isArray() && !vars.isEmpty() ? vars.get(0).get("default") : null;
    }
}
