package ai.coditect.functions.local;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a function in the real Google Cloud Functions Framework invoker, in this JVM, the way Cloud Functions
 * runs it: the invoker (which bundles its own Jetty, Jackson and Gson) lives in a class loader of its own that
 * shares only the Functions Framework API and the CloudEvents API with the function's class loader.
 */
public final class InvokerServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InvokerServer.class.getName());
    private static final String INVOKER = "com.google.cloud.functions.invoker.runner.Invoker";

    private final Object invoker;
    private final URLClassLoader loader;
    private final int port;

    private InvokerServer(Object invoker, URLClassLoader loader, int port) {
        this.invoker = invoker;
        this.loader = loader;
        this.port = port;
    }

    /**
     * Serves {@code function} on {@code port}; {@code signatureType} is {@code http} or {@code cloudevent}.
     * Returns once the server accepts connections.
     */
    public static InvokerServer start(Path invokerJar, int port, Class<?> function, String signatureType) {
        if (invokerJar == null || !Files.isRegularFile(invokerJar)) {
            throw new IllegalStateException("The Functions Framework invoker jar is missing (" + invokerJar
                    + "); build the functions module first: ./coditect build");
        }
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("functions-framework-invoker", new URL[] {invokerJar.toUri().toURL()},
                    new SharedApiClassLoader(function.getClassLoader()));
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
        try {
            Class<?> type = loader.loadClass(INVOKER);
            Constructor<?> constructor = type.getConstructor(Integer.class, String.class, String.class,
                    ClassLoader.class);
            Object invoker = constructor.newInstance(port, function.getName(), signatureType,
                    function.getClassLoader());
            type.getMethod("startTestServer").invoke(invoker);
            tuneRequestParsing(type, invoker);
            return new InvokerServer(invoker, loader, port);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("The Functions Framework invoker could not serve " + function.getName()
                    + " on port " + port + ": " + cause, cause);
        }
    }

    /**
     * Jetty in the invoker keeps a per-connection cache of whole header lines and matches every header line of
     * every request against it, character by character through a trie: with a bearer token (~850 bytes) in every
     * request that match alone took about a quarter of the session check's CPU. Without the cache each header is
     * simply parsed. Requests are also read into heap buffers, which Jetty's parser reads faster than direct ones.
     * The invoker has no setting for either, so both are set on its server's connection factories; connections
     * accepted before take the defaults. Cloud Functions runs the invoker as it comes; this is the local platform's.
     */
    private static void tuneRequestParsing(Class<?> type, Object invoker) {
        try {
            Field field = type.getDeclaredField("server");
            field.setAccessible(true);
            Object server = field.get(invoker);
            for (Object connector : (Object[]) server.getClass().getMethod("getConnectors").invoke(server)) {
                for (Object factory : (Collection<?>) connector.getClass().getMethod("getConnectionFactories")
                        .invoke(connector)) {
                    if (factory.getClass().getName().equals("org.eclipse.jetty.server.HttpConnectionFactory")) {
                        factory.getClass().getMethod("setUseInputDirectByteBuffers", boolean.class)
                                .invoke(factory, false);
                        Object config = factory.getClass().getMethod("getHttpConfiguration").invoke(factory);
                        config.getClass().getMethod("setHeaderCacheSize", int.class).invoke(config, 0);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "the invoker's Jetty keeps its header cache and direct request buffers (a slower header parse): " + e);
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        Method stop = invoker.getClass().getMethod("stopServer");
        stop.invoke(invoker);
        loader.close();
    }

    /**
     * The invoker's parent: the JDK, plus the Functions Framework API and CloudEvents API classes from the
     * function's class loader, so that both sides agree on {@code HttpFunction} and {@code CloudEvent}.
     */
    private static final class SharedApiClassLoader extends ClassLoader {
        private final ClassLoader functions;

        SharedApiClassLoader(ClassLoader functions) {
            super("functions-framework-api", ClassLoader.getPlatformClassLoader());
            this.functions = functions;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            boolean shared = (name.startsWith("com.google.cloud.functions.")
                    && !name.startsWith("com.google.cloud.functions.invoker."))
                    || name.startsWith("io.cloudevents.");
            if (shared) {
                return functions.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
