package ai.coditect.shared.store.embedded;

import ai.coditect.shared.store.embedded.FaultyDisk.Fault;
import com.apple.foundationdb.FDBException;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Disk faults, in the spirit of FoundationDB's simulation: one small workload (sets, a range clear and atomic
 * mutations per commit, commits issued three at a time so that batches hold several records, segments small
 * enough that snapshots run meanwhile) is run once for every write and fsync it performs, with that operation
 * made short, failed, or the last before a crash, and a power cut after.
 * Every reopening must show every acknowledged commit, no commit in part, no commit the engine refused, and
 * never report corruption: faults leave at most a torn tail.
 */
class FaultInjectionTest {
    private static final int COMMITS = 18;
    private static final int GROUP = 3;
    private static final long SEGMENT_BYTES = 600;
    private static final long SEED = 20261129;
    /** Sweeps with other seeds (where a crash cuts, which block is lost): {@code -Dcoditect.faultRounds=50}. */
    private static final int ROUNDS = Integer.getInteger("coditect.faultRounds", 1);
    private static final byte[] ONE = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array();

    @TempDir
    Path root;

    /** What the workload was told about each commit it attempted. */
    private record Outcome(Set<Integer> acknowledged, Set<Integer> unknown, Set<Integer> refused) {
    }

    @Test
    void everyAcknowledgedCommitSurvivesAFaultAtAnyWriteOrFsync() throws Exception {
        Path cleanDir = root.resolve("clean");
        FaultyDisk clean = new FaultyDisk(SEED);
        Outcome cleanRun = run(cleanDir, clean);
        assertEquals(COMMITS, cleanRun.acknowledged().size(), "without faults every commit is acknowledged");
        try (var files = Files.list(cleanDir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("snapshot-")),
                    "the workload is long enough for snapshots to be written");
        }
        verify(cleanDir, cleanRun, "no fault");

        int faultsThatFailedACommit = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (Fault fault : Fault.values()) {
                long operations = switch (fault) {
                    case SHORT_WRITE -> clean.writes();
                    case FAILED_FSYNC -> clean.fsyncs();
                    case CRASH -> clean.writes() + clean.fsyncs();
                };
                for (long n = 1; n <= operations; n++) {
                    Path dir = root.resolve(round + "-" + fault + "-" + n);
                    long seed = SEED + round * 1_000_003L + n;
                    Outcome outcome = run(dir, new FaultyDisk(seed).arm(fault, n));
                    verify(dir, outcome, fault + " at operation " + n + " (seed " + seed + ")");
                    if (outcome.acknowledged().size() < COMMITS) {
                        faultsThatFailedACommit++;
                    }
                }
            }
        }
        assertTrue(faultsThatFailedACommit > 20 * ROUNDS, "the faults hit the log: " + faultsThatFailedACommit);
    }

    @Test
    void aFailedFsyncLeavesTheCommitUnknownAndRefusesLaterCommitsUntilReopened() throws Exception {
        Path dir = root.resolve("db");
        FaultyDisk disk = new FaultyDisk(SEED);
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir, Clock.systemUTC(), 1 << 20, disk)) {
            assertNull(commit(db, 0));
            disk.arm(Fault.FAILED_FSYNC, 1);
            assertEquals(FdbErrors.COMMIT_UNKNOWN_RESULT, commit(db, 1));
            assertEquals(FdbErrors.IO_ERROR, commit(db, 2), "no commit after a record that may not be durable");
            assertEquals(Set.of(0), present(db), "readers never see a commit that was not made durable");
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            Set<Integer> present = present(db);
            assertTrue(present.contains(0));
            assertFalse(present.contains(2), "a refused commit does not come back after a restart");
            assertNull(commit(db, 3), "reopening accepts commits again");
        }
    }

    @Test
    void creatingTheDataDirectoryMakesEachNewDirectoryDurableInItsParent() throws Exception {
        Path dir = root.resolve("a").resolve("b");
        FaultyDisk disk = new FaultyDisk(SEED);
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir, Clock.systemUTC(), 1 << 20, disk)) {
            assertNull(commit(db, 0));
        }
        List<Path> synced = disk.syncedDirectories();
        assertTrue(synced.containsAll(List.of(root, root.resolve("a"), dir)), synced.toString());
        assertTrue(synced.indexOf(root) < synced.indexOf(root.resolve("a")), "parents first: " + synced);
    }

    /**
     * Runs the workload on {@code disk} in groups of commits issued together, so that batches hold several
     * records, until a group after the first failure; then cuts the power.
     */
    private static Outcome run(Path dir, FaultyDisk disk) throws IOException {
        Outcome outcome = new Outcome(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        EmbeddedDatabase db;
        try {
            db = EmbeddedDatabase.open(dir, Clock.systemUTC(), SEGMENT_BYTES, disk);
        } catch (IOException e) {
            disk.cutPower();
            return outcome; // the fault hit the opening itself
        }
        try (db) {
            boolean failedBefore = false;
            for (int first = 0; first < COMMITS; first += GROUP) {
                List<CompletableFuture<Integer>> group = new ArrayList<>();
                for (int i = first; i < first + GROUP; i++) {
                    group.add(commitAsync(db, i));
                }
                for (int i = first; i < first + GROUP; i++) {
                    // a commit never answered fails here rather than hanging the build
                    Integer code = group.get(i - first).orTimeout(1, TimeUnit.MINUTES).join();
                    if (code == null) {
                        assertFalse(failedBefore, "commit " + i + " acknowledged after a failed group");
                        outcome.acknowledged().add(i);
                    } else if (code == FdbErrors.COMMIT_UNKNOWN_RESULT) {
                        assertFalse(failedBefore, "commit " + i + " accepted after a failed group");
                        outcome.unknown().add(i);
                    } else if (code == FdbErrors.IO_ERROR) {
                        outcome.refused().add(i);
                    } else {
                        fail("commit " + i + " failed with " + code);
                    }
                }
                if (failedBefore) {
                    break;
                }
                failedBefore = !outcome.unknown().isEmpty() || !outcome.refused().isEmpty();
                assertTrue(!failedBefore || !outcome.unknown().isEmpty(), "commits refused before any failed");
            }
        }
        disk.cutPower();
        return outcome;
    }

    private static Integer commit(EmbeddedDatabase db, int i) {
        return commitAsync(db, i).orTimeout(1, TimeUnit.MINUTES).join();
    }

    /**
     * Sets the commit's pair of keys and a scratch key, clears the other scratch keys, and mutates two keys;
     * completes with null once acknowledged, or with the error code.
     */
    private static CompletableFuture<Integer> commitAsync(EmbeddedDatabase db, int i) {
        Transaction tr = db.createTransaction();
        tr.set(Tuple.from("commit", i).pack(), new byte[i * 7 % 97]);
        tr.set(Tuple.from("pair", i).pack(), Tuple.from(i).pack());
        tr.clear(Tuple.from("scratch").range());
        tr.set(Tuple.from("scratch", i).pack(), new byte[0]);
        tr.mutate(MutationType.ADD, Tuple.from("count").pack(), ONE);
        tr.mutate(MutationType.APPEND_IF_FITS, Tuple.from("history").pack(), history(List.of(i)));
        return tr.commit().handle((ok, failure) -> {
            tr.close();
            if (failure == null) {
                return null;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof FDBException f) {
                return f.getCode();
            }
            throw new CompletionException(cause);
        });
    }

    private static byte[] history(List<Integer> commits) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i : commits) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(i).array());
        }
        return out.toByteArray();
    }

    private static Set<Integer> present(EmbeddedDatabase db) {
        return db.read(tr -> {
            Set<Integer> commits = new HashSet<>();
            for (KeyValue kv : tr.getRange(Tuple.from("commit").range())) {
                commits.add((int) Tuple.fromBytes(kv.getKey()).getLong(1));
            }
            return commits;
        });
    }

    /** Reopens {@code dir} on the real disk and checks it against what the workload was told. */
    private static void verify(Path dir, Outcome outcome, String label) throws IOException {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            db.read(tr -> {
                TreeSet<Integer> commits = new TreeSet<>();
                for (KeyValue kv : tr.getRange(Tuple.from("commit").range())) {
                    int n = (int) Tuple.fromBytes(kv.getKey()).getLong(1);
                    assertEquals(n * 7 % 97, kv.getValue().length, label + ": value of commit " + n);
                    commits.add(n);
                }
                Set<Integer> pairs = new HashSet<>();
                for (KeyValue kv : tr.getRange(Tuple.from("pair").range())) {
                    pairs.add((int) Tuple.fromBytes(kv.getKey()).getLong(1));
                }
                assertEquals(commits, pairs, label + ": every commit is whole");
                Set<Integer> lost = new TreeSet<>(outcome.acknowledged());
                lost.removeAll(commits);
                assertTrue(lost.isEmpty(), label + ": acknowledged commits lost: " + lost);
                Set<Integer> unexpected = new TreeSet<>(commits);
                unexpected.removeAll(outcome.acknowledged());
                unexpected.removeAll(outcome.unknown());
                assertTrue(unexpected.isEmpty(), label + ": commits present that were refused: " + unexpected);

                byte[] count = tr.get(Tuple.from("count").pack()).join();
                assertEquals(commits.size(), count == null ? 0
                        : ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).getLong(), label + ": counter");
                byte[] history = tr.get(Tuple.from("history").pack()).join();
                List<Integer> appended = new ArrayList<>();
                for (int at = 0; history != null && at < history.length; at += 4) {
                    appended.add(ByteBuffer.wrap(history, at, 4).getInt());
                }
                assertEquals(new ArrayList<>(commits), appended.stream().sorted().toList(),
                        label + ": every present commit appended itself once");
                List<Integer> scratch = tr.getRange(Tuple.from("scratch").range()).asList().join().stream()
                        .map(kv -> (int) Tuple.fromBytes(kv.getKey()).getLong(1)).toList();
                assertEquals(commits.isEmpty() ? 0 : 1, scratch.size(), label + ": range clears replay");
                assertTrue(commits.containsAll(scratch), label + ": the scratch key of a present commit");
                if (!scratch.isEmpty()) {
                    assertEquals(scratch.getFirst(), appended.getLast(), label + ": the last commit's scratch key");
                }
                return null;
            });
            assertNull(commit(db, 1000), label + ": commits are accepted after recovery");
        } catch (IllegalStateException e) {
            fail(label + ": reopening failed: " + e.getMessage(), e);
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertNotNull(db.read(tr -> tr.get(Tuple.from("commit", 1000).pack()).join()),
                    label + ": the commit after recovery is there after another reopening");
        }
    }
}
