package ai.coditect.shared.store;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabasesTest {
    @TempDir
    Path dir;

    @Test
    void memoryUrlGivesTheEmbeddedEngineWithoutADirectory() {
        try (Database db = Databases.open("memory:")) {
            assertInstanceOf(EmbeddedDatabase.class, db);
        }
    }

    @Test
    void embeddedUrlIsDurableInItsDirectory() {
        Path data = dir.resolve("data");
        try (Database db = Databases.open("embedded:" + data)) {
            db.run(tr -> {
                tr.set(new byte[] {1}, new byte[] {42});
                return null;
            });
        }
        assertTrue(Files.exists(data.resolve("LOCK")));
        try (Database db = Databases.open("embedded:" + data)) {
            assertArrayEquals(new byte[] {42}, db.read(tr -> tr.get(new byte[] {1}).join()));
        }
    }

    @Test
    void unknownOrIncompleteUrlsAreRefusedWithTheAccepted() {
        String message = assertThrows(IllegalArgumentException.class, () -> Databases.open("postgres://x"))
                .getMessage();
        assertTrue(message.contains("memory:, embedded:<dir> or fdb:"), message);
        assertThrows(IllegalArgumentException.class, () -> Databases.open("embedded:"));
        assertThrows(IllegalArgumentException.class, () -> Databases.open(""));
    }

    @Test
    @DisabledIfEnvironmentVariable(named = "FDB_CLUSTER_FILE", matches = ".+",
            disabledReason = "the native client is installed here")
    void aMissingNativeClientIsExplainedInOneSentenceWithTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Databases.open("fdb:"));
        assertTrue(e.getMessage().contains("libfdb_c"), e.getMessage());
        assertTrue(e.getMessage().contains("install the foundationdb-clients"), e.getMessage());
    }
}
