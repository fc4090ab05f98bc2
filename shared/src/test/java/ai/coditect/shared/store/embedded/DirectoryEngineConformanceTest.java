package ai.coditect.shared.store.embedded;

import ai.coditect.shared.store.DatabaseConformance;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** The conformance suite on the embedded engine, durable on a directory with small log segments. */
class DirectoryEngineConformanceTest extends DatabaseConformance {
    private final TestClock clock = TestClock.atNow();
    @TempDir
    Path dir;

    @Override
    protected Database open() throws Exception {
        return EmbeddedDatabase.open(dir, clock, 256 * 1024);
    }

    @Override
    protected void age(Duration d) {
        clock.advance(d);
    }
}
