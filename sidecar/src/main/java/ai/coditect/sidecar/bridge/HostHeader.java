package ai.coditect.sidecar.bridge;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Whether the JDK's HTTP client may send the browser's {@code Host} to a backend. It may only when the JVM was
 * started with {@code -Djdk.httpclient.allowRestrictedHeaders=host} (or {@code Main} set it before any client was
 * used): the JDK reads that once, for the whole process, so the sidecar asks rather than sets it. Without it the
 * backend sees its own address as {@code Host} and the browser's in {@code X-Forwarded-Host}.
 */
public final class HostHeader {
    public static final String PROPERTY = "jdk.httpclient.allowRestrictedHeaders";

    private HostHeader() {
    }

    public static boolean mayBeSent() {
        try {
            HttpRequest.newBuilder(URI.create("http://localhost/")).header("Host", "probe");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
