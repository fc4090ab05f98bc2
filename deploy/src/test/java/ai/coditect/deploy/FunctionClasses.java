package ai.coditect.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The function classes of the code: every concrete class that implements HttpFunction or CloudEventsFunction or
 * extends PubSubFunction, except the local platform's ({@code ….local} packages: its gateway routes to the others
 * and is never deployed).
 */
final class FunctionClasses {
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern CLASS = Pattern.compile(
            "(?m)^(?:public\\s+)?(?:final\\s+)?class\\s+(\\w+)([^{]*)\\{");
    private static final Pattern PUSH = Pattern.compile("(?s).*\\bextends\\s+PubSubFunction\\b.*");
    private static final Pattern HTTP = Pattern.compile("(?s).*\\bimplements\\b.*\\bHttpFunction\\b.*");
    private static final Pattern CLOUD_EVENTS = Pattern.compile("(?s).*\\bimplements\\b.*\\bCloudEventsFunction\\b.*");

    private FunctionClasses() {
    }

    /**
     * One function class and where it is: its trigger is {@code http}, {@code pubsub} (a PubSubFunction, which
     * takes the body a push subscription POSTs) or {@code cloudevent} (a bare CloudEventsFunction: Eventarc only,
     * since the invoker refuses a push body for it).
     */
    record FunctionClass(String className, String trigger, Path file, int line) {
        String where() {
            return Repository.relative(file) + ":" + line;
        }

        String packageName() {
            return className.substring(0, className.lastIndexOf('.'));
        }
    }

    static List<FunctionClass> inSources() {
        List<FunctionClass> out = new ArrayList<>();
        for (Path file : Repository.mainSources()) {
            String src = Repository.read(file);
            if (!src.contains("HttpFunction") && !src.contains("CloudEventsFunction")
                    && !src.contains("PubSubFunction")) {
                continue;
            }
            Matcher pkg = PACKAGE.matcher(src);
            String packageName = pkg.find() ? pkg.group(1) : "";
            if (packageName.endsWith(".local")) {
                continue;
            }
            Matcher m = CLASS.matcher(src);
            while (m.find()) {
                String declaration = m.group(2);
                String trigger = PUSH.matcher(declaration).matches() ? "pubsub"
                        : HTTP.matcher(declaration).matches() ? "http"
                        : CLOUD_EVENTS.matcher(declaration).matches() ? "cloudevent" : null;
                if (trigger != null) {
                    out.add(new FunctionClass(packageName + "." + m.group(1), trigger, file,
                            Repository.lineAt(src, m.start())));
                }
            }
        }
        return out;
    }

    /** True when some module's main sources have classes in {@code packageName}. */
    static boolean packageExists(String packageName) {
        String folder = packageName.replace('.', '/');
        return Repository.mainSources().stream()
                .anyMatch(f -> f.getParent().toString().replace('\\', '/').endsWith("/src/main/java/" + folder));
    }
}
