package ai.coditect.shared.store;

import com.apple.foundationdb.Database;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.time.Duration;

/**
 * The conformance suite on a real FoundationDB cluster, when {@code FDB_CLUSTER_FILE} names one (it needs the
 * native client library); reported as skipped elsewhere.
 */
@EnabledIfEnvironmentVariable(named = "FDB_CLUSTER_FILE", matches = ".+",
        disabledReason = "no FoundationDB cluster: set FDB_CLUSTER_FILE to run the conformance suite against one")
class FdbClusterConformanceTest extends DatabaseConformance {
    @Override
    protected Database open() {
        return Databases.open("fdb:" + System.getenv("FDB_CLUSTER_FILE"));
    }

    @Override
    protected void age(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
