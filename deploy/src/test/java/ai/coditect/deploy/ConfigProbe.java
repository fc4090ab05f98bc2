package ai.coditect.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a function's configuration factories on a given environment and reports what they read and what they
 * refused. A factory is a public static method that takes the environment as a {@code Map<String, String>} and
 * returns a record (the configuration): each function class declares its own ({@code configuration(Map)}). A
 * package without one falls back to a factory of {@code ai.coditect.functions}, as does one whose sources still
 * build on a shared {@code Platform.current()}.
 */
final class ConfigProbe {
    static final String SHARED_PACKAGE = "ai.coditect.functions";
    private static final Pattern VARIABLE = Pattern.compile("\\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\\b");

    private ConfigProbe() {
    }

    /** What the factory read, and the variable it asked for that was not set (or refused), if any. */
    record Outcome(Method factory, Set<String> read, String missing, String refused, String message) {
        boolean accepted() {
            return missing == null && refused == null;
        }
    }

    /** Every factory in turn; the first refusal is the outcome, else what they read together. */
    static Outcome run(Class<?> function, Map<String, String> env) {
        Set<String> read = new LinkedHashSet<>();
        Outcome last = null;
        for (Method factory : factoriesFor(function)) {
            last = run(factory, env);
            read.addAll(last.read());
            if (!last.accepted()) {
                return last;
            }
        }
        return new Outcome(last.factory(), read, null, null, null);
    }

    private static Outcome run(Method factory, Map<String, String> env) {
        Recording values = new Recording(env);
        try {
            factory.invoke(null, values);
            return new Outcome(factory, values.read, null, null, null);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            String message = String.valueOf(cause.getMessage());
            if (!(cause instanceof IllegalArgumentException)) {
                return new Outcome(factory, values.read, null, "(" + cause.getClass().getSimpleName() + ")", message);
            }
            Matcher m = VARIABLE.matcher(message);
            String named = m.find() ? m.group(1) : null;
            if (named != null && !env.containsKey(named)) {
                return new Outcome(factory, values.read, named, null, message);
            }
            return new Outcome(factory, values.read, null, named == null ? "?" : named, message);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Method> factoriesFor(Class<?> function) {
        String stem = function.getSimpleName().replaceFirst("Function$", "");
        List<Method> own = factories(function.getPackageName(), function);
        Optional<Method> best = own.stream()
                .min(Comparator.comparingInt(m -> m.getDeclaringClass() == function ? 0
                        : m.getDeclaringClass().getSimpleName().startsWith(stem) ? 1 : 2));
        List<Method> out = new ArrayList<>();
        if (best.isPresent() && (own.size() == 1 || best.get().getDeclaringClass() == function
                || best.get().getDeclaringClass().getSimpleName().startsWith(stem))) {
            out.add(best.get());
        }
        if (out.isEmpty() || buildsOnThePlatform(function.getPackageName())) {
            List<Method> shared = factories(SHARED_PACKAGE, sharedAnchor(function));
            if (shared.size() != 1) {
                throw new IllegalStateException("Cannot tell which configuration " + function.getName() + " reads: "
                        + "its package has " + own + ", " + SHARED_PACKAGE + " has " + shared + ". Give the function "
                        + "one public static factory taking Map<String, String> and returning its configuration "
                        + "record.");
            }
            out.add(0, shared.get(0));
        }
        return out;
    }

    /** A class of the shared package, to find where its classes come from (another module than the function's). */
    private static Class<?> sharedAnchor(Class<?> function) {
        try {
            return Class.forName(SHARED_PACKAGE + ".Platform", false, function.getClassLoader());
        } catch (ClassNotFoundException e) {
            return function;
        }
    }

    /** True when a main source of the package builds on the shared platform ({@code Platform.current()}). */
    private static boolean buildsOnThePlatform(String packageName) {
        String folder = "/src/main/java/" + packageName.replace('.', '/');
        return Repository.mainSources().stream()
                .filter(f -> f.getParent().toString().replace('\\', '/').endsWith(folder))
                .anyMatch(f -> Repository.read(f).contains("Platform.current()"));
    }

    private static List<Method> factories(String packageName, Class<?> near) {
        List<Method> out = new ArrayList<>();
        for (String name : classesIn(packageName, near)) {
            Class<?> c;
            try {
                c = Class.forName(name, false, near.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())
                        && m.getParameterCount() == 1 && m.getParameterTypes()[0] == Map.class
                        && m.getReturnType().isRecord()) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Binary names of the classes of {@code packageName}, from the jar or folder {@code near} came from. */
    private static Set<String> classesIn(String packageName, Class<?> near) {
        Set<String> out = new LinkedHashSet<>();
        String folder = packageName.replace('.', '/');
        try {
            Path location = Path.of(near.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                Path dir = location.resolve(folder);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                                .forEach(n -> out.add(packageName + "." + n.substring(0, n.length() - 6)));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(folder + "/") && n.endsWith(".class")
                                && n.indexOf('/', folder.length() + 1) < 0) {
                            out.add(n.substring(0, n.length() - 6).replace('/', '.'));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The environment given to the factory, remembering every name it asked for. */
    static final class Recording extends HashMap<String, String> {
        final Set<String> read = new LinkedHashSet<>();

        Recording(Map<String, String> values) {
            super(values);
        }

        @Override
        public String get(Object key) {
            read.add(String.valueOf(key));
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            read.add(String.valueOf(key));
            return super.getOrDefault(key, fallback);
        }

        @Override
        public boolean containsKey(Object key) {
            read.add(String.valueOf(key));
            return super.containsKey(key);
        }
    }
}
