package ai.coditect.functions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The defaults that differ between a deployed function, whose environment must say where its store, keys and
 * issuer are, and the local platform ({@code ./coditect dev}), which needs no environment at all.
 */
public record Defaults(String storeUrl, String issuer, Path signingKeysFile, boolean localEvents,
                       String workspaceBackend, Duration workspaceRefresh, Path dataDir) {
    /** A function deployed on its own: FoundationDB, Pub/Sub, Kubernetes, and keys and issuer it is given. */
    public static final Defaults DEPLOYED = new Defaults("fdb:", null, null, false, "kubernetes",
            Duration.ofSeconds(3), null);

    /** The local platform: the embedded engine and generated keys in {@code dataDir}, served on {@code port}. */
    public static Defaults local(Path dataDir, int port) {
        return new Defaults("embedded:" + dataDir, "http://127.0.0.1:" + port, dataDir.resolve("signing-keys.json"),
                true, "auto", Duration.ofSeconds(1), dataDir);
    }

    /** Where the local platform keeps logs (workspace sidecars'), beside its keys; a temporary folder elsewhere. */
    public Path logDirectory() {
        return dataDir != null ? dataDir.resolve("logs")
                : Path.of(System.getProperty("java.io.tmpdir"), "coditect-logs");
    }
}
