package ai.coditect.sidecar;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The sidecar's JDK HTTP client (to the platform and to Theia), built when it is first asked for: building one
 * makes the JVM's default TLS context, some 350 classes and a few MB that an idle sidecar, asked nothing yet,
 * does not need. Closing closes the client if there is one.
 */
final class HttpClientOnFirstUse implements Supplier<HttpClient>, AutoCloseable {
    private volatile HttpClient client;
    private boolean closed; // guarded by this

    @Override
    public HttpClient get() {
        HttpClient c = client;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (client == null) {
                HttpClient made = newHttpClient();
                if (closed) {
                    made.close(); // asked after close: its calls fail as they would on the client closed earlier
                }
                client = made;
            }
            return client;
        }
    }

    @Override
    public void close() {
        HttpClient c;
        synchronized (this) {
            closed = true;
            c = client;
        }
        if (c != null) {
            c.close();
        }
    }

    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }
}
