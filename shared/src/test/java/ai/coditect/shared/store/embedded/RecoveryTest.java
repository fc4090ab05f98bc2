package ai.coditect.shared.store.embedded;

import ai.coditect.shared.testing.ChildJvm;
import com.apple.foundationdb.FDBException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reopening a data directory: torn tails, corruption, snapshots with log truncation, records of large
 * transactions, and the directory lock.
 */
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

    @Test
    void aRefusedSecondOpenInTheSameProcessKeepsTheDirectoryLockedForOtherProcesses() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.open(dir));
            Process other = ChildJvm.start(TryOpen.class, dir.toString());
            try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String answer = out.readLine();
                assertTrue(answer != null && answer.startsWith("REFUSED"), "the other process: " + answer);
                assertTrue(answer.contains("in use by another process (pid " + ProcessHandle.current().pid() + ")"),
                        answer);
            } finally {
                other.destroyForcibly();
                assertTrue(other.waitFor(30, TimeUnit.SECONDS));
            }
            commit(db, 1);
        }
    }

    @Test
    void damageInsideTheLastSegmentIsReportedWithFileAndOffsetAndNothingIsCutOff() throws Exception {
        assertDamageIsReported(12); // a payload byte
    }

    @Test
    void aDamagedRecordLengthInsideTheLastSegmentIsReportedToo() throws Exception {
        assertDamageIsReported(1); // the length, which can no longer be trusted to find the next record
    }

    private void assertDamageIsReported(int byteOfRecord) throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            for (int i = 0; i < 10; i++) {
                commit(db, i);
            }
        }
        Path segment = lastSegment();
        long damaged = recordOffsets(segment).get(4);
        flipByte(segment, damaged + byteOfRecord);
        long size = Files.size(segment);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.open(dir));
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(segment.getFileName().toString())
                && e.getMessage().contains("offset " + damaged), e.getMessage());
        assertEquals(size, Files.size(segment), "the acknowledged commits after the damage were not cut off");
    }

    @Test
    void aTornLastBatchIsCutOffEvenWhenItsLaterRecordsReachedTheDisk() throws Exception {
        ByteBuffer first = WriteAheadLog.frames(List.of(record(1)));
        ByteBuffer last = WriteAheadLog.frames(List.of(record(2), record(3)));
        last.put(20, (byte) (last.get(20) ^ 0x5a)); // the crash kept the batch's second record, not its first
        Path segment = dir.resolve("wal-" + "0".repeat(19) + "1.log");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(new ByteBuffer[] {first, last});
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            assertEquals(1, count(db), "only the commit before the torn batch");
            assertNotNull(db.read(tr -> tr.get(Tuple.from("k", 1).pack()).join()));
        }
    }

    @Test
    void damageFollowedByANewBatchIsReportedEvenWhenTheDamageLooksLikeATornBatch() throws Exception {
        ByteBuffer first = WriteAheadLog.frames(List.of(record(1), record(2)));
        ByteBuffer last = WriteAheadLog.frames(List.of(record(3)));
        first.put(20, (byte) (first.get(20) ^ 0x5a));
        Path segment = dir.resolve("wal-" + "0".repeat(19) + "1.log");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(new ByteBuffer[] {first, last});
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.open(dir));
        assertTrue(e.getMessage().contains("offset 0"), e.getMessage());
    }

    @Test
    void sevenHundredCompareAndClearsOnLargeValuesSurviveACleanClose() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir, Clock.systemUTC(), 1L << 30)) {
            LargeMutationWorkload.run(db);
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
            LargeMutationWorkload.verify(db);
        }
    }

    @Test
    void theLogRefusesARecordItCouldNotReadBackAndEveryCommitAfterIt() throws Exception {
        try (WriteAheadLog log = WriteAheadLog.open(dir, 1L << 30, new VersionedStore(Clock.systemUTC()), v -> { },
                v -> { }, Runnable::run, DiskIo.REAL)) {
            CompletableFuture<Long> tooLarge = new CompletableFuture<>();
            log.append(1, new byte[WriteAheadLog.MAX_RECORD_BYTES + 1], tooLarge);
            CompletableFuture<Long> next = new CompletableFuture<>();
            log.append(2, new LogRecord(2, List.of()).encode(), next);
            assertEquals(FdbErrors.TRANSACTION_TOO_LARGE, errorCode(tooLarge));
            assertEquals(FdbErrors.IO_ERROR, errorCode(next));
        }
        assertEquals(0, Files.size(lastSegment()), "nothing was written");
    }

    private static int errorCode(CompletableFuture<Long> done) {
        CompletionException e = assertThrows(CompletionException.class, done::join);
        return ((FDBException) e.getCause()).getCode();
    }

    private static byte[] record(int i) {
        return new LogRecord(i, List.of(LogRecord.Effect.set(Tuple.from("k", i).pack(), Tuple.from("value", i)
                .pack()))).encode();
    }

    private static List<Long> recordOffsets(Path segment) throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(4);
            for (long pos = 0; pos < ch.size(); pos += 8 + (header.getInt(0) & 0x7fffffff)) {
                offsets.add(pos);
                ch.read(header.clear(), pos);
            }
        }
        return offsets;
    }

    private static void flipByte(Path file, long position) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, position);
        }
    }

    /** Tries to open a data directory and prints {@code OPENED} or {@code REFUSED <reason>}. */
    public static final class TryOpen {
        public static void main(String[] args) throws Exception {
            try (EmbeddedDatabase db = EmbeddedDatabase.open(Path.of(args[0]))) {
                System.out.println("OPENED");
            } catch (IllegalStateException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
            System.out.flush();
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
