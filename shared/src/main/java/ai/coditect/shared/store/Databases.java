package ai.coditect.shared.store;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.FDB;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The one way to get a {@link Database} from a store URL:
 * <ul>
 *   <li>{@code memory:} — the embedded engine in memory (tests);</li>
 *   <li>{@code embedded:<dir>} — the embedded engine, durable on a local directory (the local platform);</li>
 *   <li>{@code fdb:} or {@code fdb:<cluster file>} — a FoundationDB cluster through the native client.</li>
 * </ul>
 * The native client library is loaded only for {@code fdb:} URLs.
 */
public final class Databases {
    /** FoundationDB 7.3's API version. */
    static final int API_VERSION = 730;

    private Databases() {
    }

    public static Database open(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("The store URL is empty; use memory:, embedded:<dir> or fdb:[<cluster file>].");
        }
        if (url.equals("memory:")) {
            return EmbeddedDatabase.inMemory();
        }
        if (url.startsWith("embedded:")) {
            String dir = url.substring("embedded:".length());
            if (dir.isBlank()) {
                throw new IllegalArgumentException("The store URL embedded: needs a directory, e.g. embedded:./.coditect/data");
            }
            try {
                return EmbeddedDatabase.open(Path.of(dir));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open the embedded store in " + dir + ": " + e.getMessage(), e);
            }
        }
        if (url.equals("fdb:") || url.startsWith("fdb:")) {
            String clusterFile = url.substring("fdb:".length());
            return openCluster(clusterFile.isBlank() ? null : clusterFile);
        }
        throw new IllegalArgumentException("Unknown store URL '" + url
                + "'; use memory:, embedded:<dir> or fdb:[<cluster file>].");
    }

    private static Database openCluster(String clusterFile) {
        FDB fdb;
        try {
            fdb = FDB.selectAPIVersion(API_VERSION);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new IllegalStateException("The FoundationDB client library (libfdb_c 7.3) is not installed on this "
                    + "machine: install the foundationdb-clients 7.3 package, or use the store URL "
                    + "embedded:<dir> to run without a cluster.", e);
        }
        return clusterFile == null ? fdb.open() : fdb.open(clusterFile);
    }
}
