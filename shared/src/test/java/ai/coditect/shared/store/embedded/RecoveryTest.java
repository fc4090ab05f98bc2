package ai.coditect.shared.store.embedded;

import ai.coditect.shared.testing.ChildJvm;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reopening a data directory: torn tails, corruption, snapshots with log truncation, and the directory lock. */
class RecoveryTest {
    @TempDir
    Path dir;

    private static void commit(EmbeddedDatabase db, int i) {
        db.run(tr -> {
            tr.set(Tuple.from("k", i).pack(), Tuple.from("value", i).pack());
            return null;
        });
    }

    private static long count(EmbeddedDatabase db) {
        return db.read(tr -> tr.getRange(Tuple.from("k").range()).asList().join().size());
    }

    private Path lastSegment() throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().toList().getLast();
        }
    }

    @Test
    void aTruncatedLastRecordIsCutOffAndEverythingBeforeItKept() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            for (int i = 0; i < 100; i++) {
                commit(db, i);
            }
        }
        Path segment = lastSegment();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3);
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertEquals(99, count(db));
            assertNull(db.read(tr -> tr.get(Tuple.from("k", 99).pack()).join()));
            commit(db, 1000);
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertEquals(100, count(db), "commits after the recovery are appended cleanly");
        }
    }

    @Test
    void aLastRecordWithABadChecksumIsCutOff() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            for (int i = 0; i < 10; i++) {
                commit(db, i);
            }
        }
        Path segment = lastSegment();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long last = ch.size() - 2;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, last);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, last);
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertEquals(9, count(db));
        }
    }

    @Test
    void damageBeforeTheTailIsReportedInsteadOfSilentlyDroppingCommits() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            commit(db, 1);
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            commit(db, 2);
        }
        Path first;
        try (var files = Files.list(dir)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().toList();
            assertEquals(2, segments.size());
            first = segments.getFirst();
        }
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), 10);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.open(dir));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void snapshotsReplaceTheLogTheyCover() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir, Clock.systemUTC(), 16 * 1024)) {
            for (int i = 0; i < 2_000; i++) {
                commit(db, i);
            }
            db.run(tr -> {
                tr.clear(Range.startsWith(Tuple.from("k", 1).pack()));
                tr.clear(Tuple.from("k", 1_999).pack());
                return null;
            });
            for (int i = 2_000; i < 2_500; i++) {
                commit(db, i);
            }
        }
        long logBytes;
        List<String> names;
        try (var files = Files.list(dir)) {
            List<Path> all = files.toList();
            names = all.stream().map(p -> p.getFileName().toString()).toList();
            logBytes = all.stream().filter(p -> p.getFileName().toString().startsWith("wal-"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("snapshot-")), names.toString());
        assertTrue(logBytes < 64 * 1024, "the log was truncated behind the snapshots: " + logBytes + " bytes left");
        assertEquals(1, names.stream().filter(n -> n.startsWith("snapshot-")).count(), "older snapshots deleted");
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertEquals(2_498, count(db));
            assertNull(db.read(tr -> tr.get(Tuple.from("k", 1_999).pack()).join()));
        }
    }

    @Test
    void aSecondProcessOnTheSameDirectoryGetsAClearError() throws Exception {
        Process holder = ChildJvm.start(HoldDirectory.class, dir.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("OPEN", out.readLine());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.open(dir));
            assertTrue(e.getMessage().contains("in use by another process (pid " + holder.pid() + ")"),
                    e.getMessage());
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertEquals(1, count(db), "the lock goes with the process that held it");
        }
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefusedToo() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.open(dir));
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            commit(db, 1);
        }
    }

    /** Holds a data directory open until killed. */
    public static final class HoldDirectory {
        public static void main(String[] args) throws Exception {
            EmbeddedDatabase db = EmbeddedDatabase.open(Path.of(args[0]));
            commit(db, 1);
            System.out.println("OPEN");
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }
}
