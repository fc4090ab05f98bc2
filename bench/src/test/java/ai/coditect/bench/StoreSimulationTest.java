package ai.coditect.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded run of the engine simulation: fixed seeds, so a failure names a seed that replays it with
 * {@code ./coditect bench store-sim 0 <seed>}. The long run is that command with a number of seconds.
 */
class StoreSimulationTest {
    @Test
    void randomConcurrentTransactionsMatchTheModel() {
        StoreSimulation.Counts total = new StoreSimulation.Counts(0, 0, 0, 0);
        for (long seed = 1; seed <= 40; seed++) {
            total = total.plus(StoreSimulation.run(seed, 2_000));
        }
        assertTrue(total.commits() > 1_000 && total.conflicts() > 100,
                "the workload commits and conflicts: " + total);
    }

    @Test
    void onADirectoryTheRecoveredDataMatchesTheModelToo(@TempDir Path dirs) throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            StoreSimulation.runOnDirectory(seed, 2_000, java.nio.file.Files.createDirectory(dirs.resolve("s" + seed)));
        }
    }
}
