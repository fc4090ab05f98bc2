package ai.coditect.shared.store.embedded;

import ai.coditect.shared.store.DatabaseConformance;
import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.Database;

import java.time.Duration;

/** The conformance suite on the embedded engine in memory. */
class MemoryEngineConformanceTest extends DatabaseConformance {
    private final TestClock clock = TestClock.atNow();

    @Override
    protected Database open() {
        return EmbeddedDatabase.inMemory(clock);
    }

    @Override
    protected void age(Duration d) {
        clock.advance(d);
    }
}
