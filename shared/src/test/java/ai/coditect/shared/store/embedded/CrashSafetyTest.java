package ai.coditect.shared.store.embedded;

import ai.coditect.shared.testing.ChildJvm;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process committing in a tight loop is killed with SIGKILL at different points, several times over on the
 * same directory; each reopening must show every acknowledged commit, and every commit whole or not at all.
 */
class CrashSafetyTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitSurvivesSigkillAndNoneIsPartial() throws Exception {
        Random random = new Random(20261129);
        Set<Long> acknowledged = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            int killAfter = 50 + random.nextInt(2_500);
            Process child = ChildJvm.start(CrashWorkload.class, dir.toString(), Integer.toString(48 * 1024), "4",
                    Long.toString(round * 1_000_000L));
            int seen = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        acknowledged.add(Long.parseLong(line.substring(4)));
                        if (++seen == killAfter) {
                            child.toHandle().destroyForcibly(); // SIGKILL, keeping our end of the pipe open
                        }
                    }
                }
            } finally {
                child.destroyForcibly(); // never leave a writer running, whatever failed
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the workload died");
            assertTrue(seen >= killAfter, "the workload stopped on its own after " + seen + " commits");
            verify(acknowledged, round);
        }
        try (var files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("snapshot-")),
                    "snapshots were taken along the way: " + names);
        }
    }

    @Test
    void sevenHundredCompareAndClearsOnLargeValuesSurviveSigkill() throws Exception {
        Process child = ChildJvm.start(LargeMutationWorkload.class, dir.toString(), Long.toString(1L << 30));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("DONE", out.readLine(), "the workload acknowledged every commit");
        } finally {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the workload died");
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            LargeMutationWorkload.verify(db);
        }
    }

    private void verify(Set<Long> acknowledged, int round) throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            db.read(tr -> {
                Set<Long> commits = new HashSet<>();
                for (KeyValue kv : tr.getRange(Tuple.from("commit").range())) {
                    long n = Tuple.fromBytes(kv.getKey()).getLong(1);
                    assertEquals(n % 512, kv.getValue().length, "value of commit " + n);
                    commits.add(n);
                }
                Set<Long> pairs = new HashSet<>();
                for (KeyValue kv : tr.getRange(Tuple.from("pair").range())) {
                    pairs.add(Tuple.fromBytes(kv.getKey()).getLong(1));
                }
                assertEquals(commits, pairs, "round " + round + ": every commit is whole");
                Set<Long> missing = new HashSet<>(acknowledged);
                missing.removeAll(commits);
                assertTrue(missing.isEmpty(), "round " + round + ": acknowledged commits lost: " + missing);
                long count = ByteBuffer.wrap(tr.get(Tuple.from("count").pack()).join())
                        .order(ByteOrder.LITTLE_ENDIAN).getLong();
                assertEquals(commits.size(), count, "round " + round + ": the counter matches the commits");
                return null;
            });
        }
    }
}
