package ai.coditect.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * terraform/ as parsed: every .tf file, the root module's function and topic declarations (functions.tf,
 * topics.tf), and its resources. Parsed once per test run.
 */
final class Terraform {
    static final Path DIR = Repository.ROOT.resolve("terraform");
    private static Terraform loaded;

    final Map<Path, Hcl.Parsed> files;

    private Terraform(Map<Path, Hcl.Parsed> files) {
        this.files = files;
    }

    static synchronized Terraform load() {
        if (loaded == null) {
            loaded = new Terraform(Hcl.parse(Repository.files(DIR, ".tf")));
        }
        return loaded;
    }

    /** Parser errors, one "file:line,col: message" each. */
    List<String> errors() {
        return files.values().stream().filter(p -> p.error() != null).map(Hcl.Parsed::error).toList();
    }

    JsonNode json(Path file) {
        Hcl.Parsed p = files.get(file);
        if (p == null || p.json() == null) {
            throw new IllegalStateException(Repository.relative(file) + " is missing or does not parse"
                    + (p == null ? "" : ": " + p.error()));
        }
        return p.json();
    }

    /** A local value of the root module (locals blocks of any root .tf file). */
    JsonNode rootLocal(String name) {
        for (Map.Entry<Path, Hcl.Parsed> e : files.entrySet()) {
            if (!e.getKey().getParent().equals(DIR) || e.getValue().json() == null) {
                continue;
            }
            for (JsonNode block : e.getValue().json().path("locals")) {
                if (block.has(name)) {
                    return block.get(name);
                }
            }
        }
        throw new IllegalStateException("terraform/: no local value named " + name + " in the root module");
    }

    /** The root .tf file that declares local {@code name}. */
    Path rootLocalFile(String name) {
        for (Map.Entry<Path, Hcl.Parsed> e : files.entrySet()) {
            if (e.getKey().getParent().equals(DIR) && e.getValue().json() != null) {
                for (JsonNode block : e.getValue().json().path("locals")) {
                    if (block.has(name)) {
                        return e.getKey();
                    }
                }
            }
        }
        return DIR.resolve("main.tf");
    }

    /** One resource block: its file, type, name and body. */
    record Resource(Path file, String type, String name, JsonNode body) {
        String address() {
            return type + "." + name;
        }

        String where() {
            return Repository.where(file, "resource \"" + type + "\" \"" + name + "\"");
        }
    }

    List<Resource> resources() {
        List<Resource> out = new ArrayList<>();
        files.forEach((file, parsed) -> {
            if (parsed.json() == null) {
                return;
            }
            fields(parsed.json().path("resource"), (type, byName) -> fields(byName, (name, bodies) -> {
                for (JsonNode body : bodies) {
                    out.add(new Resource(file, type, name, body));
                }
            }));
        });
        return out;
    }

    List<Resource> resources(String type) {
        return resources().stream().filter(r -> r.type().equals(type)).toList();
    }

    static void fields(JsonNode node, BiConsumer<String, JsonNode> each) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            each.accept(e.getKey(), e.getValue());
        }
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        fields(map, (k, v) -> out.put(k, v.isValueNode() ? v.asText() : v.toString()));
        return out;
    }
}
