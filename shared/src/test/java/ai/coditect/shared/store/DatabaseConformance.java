package ai.coditect.shared.store;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeySelector;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.directory.DirectoryLayer;
import com.apple.foundationdb.directory.DirectorySubspace;
import com.apple.foundationdb.tuple.ByteArrayUtil;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static ai.coditect.shared.testing.FdbErrorCodes.codeOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What application code can observe of FoundationDB, written once against the {@link Database} interface and run
 * on every implementation: the embedded engine in memory, on a directory, and a real cluster when there is one.
 * Every test works under its own random key prefix so a shared cluster is not disturbed.
 */
public abstract class DatabaseConformance {
    protected Database db;
    private byte[] prefix;

    /** A fresh database (or a connection to the cluster). */
    protected abstract Database open() throws Exception;

    /** Lets {@code d} pass for the database's notion of transaction age. */
    protected abstract void age(Duration d) throws Exception;

    @BeforeEach
    void openDatabase() throws Exception {
        db = open();
        prefix = Tuple.from("conformance", UUID.randomUUID().toString()).pack();
    }

    @AfterEach
    void cleanUp() {
        if (db != null) {
            db.run(tr -> {
                tr.clear(Range.startsWith(prefix));
                return null;
            });
            db.close();
        }
    }

    private byte[] k(String name) {
        return ByteArrayUtil.join(prefix, name.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] v(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private List<String> names(List<KeyValue> kvs) {
        List<String> out = new ArrayList<>();
        for (KeyValue kv : kvs) {
            out.add(new String(Arrays.copyOfRange(kv.getKey(), prefix.length, kv.getKey().length),
                    StandardCharsets.UTF_8));
        }
        return out;
    }

    private void put(String... namesAndValues) {
        db.run(tr -> {
            for (int i = 0; i < namesAndValues.length; i += 2) {
                tr.set(k(namesAndValues[i]), v(namesAndValues[i + 1]));
            }
            return null;
        });
    }

    private static byte[] le(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    // ---- read-your-writes ----

    @Test
    void readsSeeTheTransactionsOwnWritesBeforeCommit() {
        put("a", "committed-a", "b", "committed-b", "c", "committed-c");
        db.run(tr -> {
            tr.set(k("a"), v("mine"));
            tr.clear(k("b"));
            tr.set(k("d"), v("new"));
            assertEquals("mine", s(tr.get(k("a")).join()));
            assertNull(tr.get(k("b")).join());
            assertEquals("committed-c", s(tr.get(k("c")).join()));
            assertEquals(List.of("a", "c", "d"), names(tr.getRange(Range.startsWith(prefix)).asList().join()));
            return null;
        });
        assertEquals("mine", s(db.run(tr -> tr.get(k("a")).join())));
    }

    @Test
    void rangeReadsMergeUncommittedSetsAndClearedRanges() {
        put("a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        db.run(tr -> {
            tr.clear(k("b"), k("d"));
            tr.set(k("bb"), v("inside-cleared"));
            tr.mutate(MutationType.ADD, k("c"), le(1));
            List<KeyValue> all = tr.getRange(Range.startsWith(prefix)).asList().join();
            assertEquals(List.of("a", "bb", "c", "d", "e"), names(all));
            assertArrayEquals(le(1), all.get(2).getValue(), "ADD on a cleared key starts from nothing");
            List<KeyValue> backwards = tr.getRange(Range.startsWith(prefix), 3, true).asList().join();
            assertEquals(List.of("e", "d", "c"), names(backwards));
            return null;
        });
    }

    @Test
    void atomicMutationsOnUnreadKeysAreVisibleToLaterReads() {
        db.run(tr -> {
            tr.set(k("n"), le(40));
            return null;
        });
        long seen = db.run(tr -> {
            tr.mutate(MutationType.ADD, k("n"), le(2));
            return ByteBuffer.wrap(tr.get(k("n")).join()).order(ByteOrder.LITTLE_ENDIAN).getLong();
        });
        assertEquals(42, seen);
    }

    @Test
    void writesDuringIterationDoNotDisturbTheIterator() {
        put("a", "1", "b", "2", "c", "3");
        int cleared = db.run(tr -> {
            int n = 0;
            for (KeyValue kv : tr.getRange(Range.startsWith(prefix))) {
                tr.clear(kv.getKey());
                n++;
            }
            return n;
        });
        assertEquals(3, cleared);
        assertTrue(db.run(tr -> tr.getRange(Range.startsWith(prefix)).asList().join()).isEmpty());
    }

    // ---- ranges, selectors, limits, reverse ----

    @Test
    void rangeReadsHonourLimitsAndReverse() {
        put("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6");
        db.run(tr -> {
            assertEquals(List.of("b", "c", "d", "e"), names(tr.getRange(k("b"), k("f")).asList().join()));
            assertEquals(List.of("b", "c"), names(tr.getRange(k("b"), k("f"), 2).asList().join()));
            assertEquals(List.of("e", "d"), names(tr.getRange(k("b"), k("f"), 2, true).asList().join()));
            assertEquals(List.of(), names(tr.getRange(k("f"), k("b")).asList().join()));
            return null;
        });
    }

    @Test
    void keySelectorsResolveLikeFoundationDb() {
        put("b", "1", "d", "2", "f", "3", "h", "4");
        db.run(tr -> {
            assertEquals("d", name(tr.getKey(KeySelector.firstGreaterOrEqual(k("c"))).join()));
            assertEquals("d", name(tr.getKey(KeySelector.firstGreaterOrEqual(k("d"))).join()));
            assertEquals("f", name(tr.getKey(KeySelector.firstGreaterThan(k("d"))).join()));
            assertEquals("d", name(tr.getKey(KeySelector.lastLessOrEqual(k("d"))).join()));
            assertEquals("b", name(tr.getKey(KeySelector.lastLessThan(k("d"))).join()));
            assertEquals("h", name(tr.getKey(KeySelector.firstGreaterOrEqual(k("b")).add(3)).join()));
            assertEquals("b", name(tr.getKey(KeySelector.lastLessOrEqual(k("f")).add(-2)).join()));
            List<KeyValue> r = tr.getRange(KeySelector.firstGreaterThan(k("b")),
                    KeySelector.lastLessOrEqual(k("h"))).asList().join();
            assertEquals(List.of("d", "f"), names(r));
            List<KeyValue> r2 = tr.getRange(KeySelector.firstGreaterOrEqual(k("c")),
                    KeySelector.firstGreaterThan(k("f")), 0, true).asList().join();
            assertEquals(List.of("f", "d"), names(r2));
            return null;
        });
    }

    @Test
    void rangeResultsCanBeIteratedAsynchronously() {
        put("a", "1", "b", "2", "c", "3");
        List<String> seen = db.readAsync(tr -> {
            List<String> out = new ArrayList<>();
            var it = tr.getRange(Range.startsWith(prefix)).iterator();
            return com.apple.foundationdb.async.AsyncUtil.whileTrue(() -> it.onHasNext().thenApply(has -> {
                if (has) {
                    out.add(s(it.next().getValue()));
                }
                return has;
            }), tr.getExecutor()).thenApply(done -> out);
        }).join();
        assertEquals(List.of("1", "2", "3"), seen);
    }

    private String name(byte[] key) {
        if (!ByteArrayUtil.startsWith(key, prefix)) {
            return "outside:" + ByteArrayUtil.printable(key);
        }
        return new String(Arrays.copyOfRange(key, prefix.length, key.length), StandardCharsets.UTF_8);
    }

    // ---- atomic operations ----

    @Test
    void everyAtomicOperationHasFoundationDbsSemantics() {
        db.run(tr -> {
            tr.set(k("add"), le(5));
            tr.set(k("and"), new byte[] {0b1100});
            tr.set(k("or"), new byte[] {0b1100});
            tr.set(k("xor"), new byte[] {0b1100});
            tr.set(k("append"), v("abc"));
            tr.set(k("max"), le(10));
            tr.set(k("min"), le(10));
            tr.set(k("bmax"), v("m"));
            tr.set(k("bmin"), v("m"));
            tr.set(k("cac-hit"), v("x"));
            tr.set(k("cac-miss"), v("y"));
            return null;
        });
        db.run(tr -> {
            tr.mutate(MutationType.ADD, k("add"), le(-7));
            tr.mutate(MutationType.ADD, k("add-absent"), le(3));
            tr.mutate(MutationType.BIT_AND, k("and"), new byte[] {0b1010});
            tr.mutate(MutationType.BIT_AND, k("and-absent"), new byte[] {0b1010});
            tr.mutate(MutationType.BIT_OR, k("or"), new byte[] {0b1010});
            tr.mutate(MutationType.BIT_XOR, k("xor"), new byte[] {0b1010});
            tr.mutate(MutationType.APPEND_IF_FITS, k("append"), v("def"));
            tr.mutate(MutationType.MAX, k("max"), le(20));
            tr.mutate(MutationType.MIN, k("min"), le(20));
            tr.mutate(MutationType.MIN, k("min-absent"), le(20));
            tr.mutate(MutationType.BYTE_MAX, k("bmax"), v("a"));
            tr.mutate(MutationType.BYTE_MIN, k("bmin"), v("a"));
            tr.mutate(MutationType.COMPARE_AND_CLEAR, k("cac-hit"), v("x"));
            tr.mutate(MutationType.COMPARE_AND_CLEAR, k("cac-miss"), v("x"));
            return null;
        });
        db.run(tr -> {
            assertArrayEquals(le(-2), tr.get(k("add")).join());
            assertArrayEquals(le(3), tr.get(k("add-absent")).join());
            assertArrayEquals(new byte[] {0b1000}, tr.get(k("and")).join());
            assertArrayEquals(new byte[] {0b1010}, tr.get(k("and-absent")).join());
            assertArrayEquals(new byte[] {0b1110}, tr.get(k("or")).join());
            assertArrayEquals(new byte[] {0b0110}, tr.get(k("xor")).join());
            assertEquals("abcdef", s(tr.get(k("append")).join()));
            assertArrayEquals(le(20), tr.get(k("max")).join());
            assertArrayEquals(le(10), tr.get(k("min")).join());
            assertArrayEquals(le(20), tr.get(k("min-absent")).join());
            assertEquals("m", s(tr.get(k("bmax")).join()));
            assertEquals("a", s(tr.get(k("bmin")).join()));
            assertNull(tr.get(k("cac-hit")).join());
            assertEquals("y", s(tr.get(k("cac-miss")).join()));
            return null;
        });
    }

    @Test
    void integerOperationsResizeTheExistingValueToTheParameter() {
        db.run(tr -> {
            tr.set(k("short"), new byte[] {(byte) 0xff});
            tr.set(k("long"), new byte[] {1, 2, 3, 4});
            tr.set(k("full"), new byte[99_999]);
            return null;
        });
        db.run(tr -> {
            tr.mutate(MutationType.ADD, k("short"), new byte[] {1, 0});
            tr.mutate(MutationType.MAX, k("long"), new byte[] {0, 0});
            tr.mutate(MutationType.APPEND_IF_FITS, k("full"), new byte[] {1, 2});
            return null;
        });
        db.run(tr -> {
            assertArrayEquals(new byte[] {0, 1}, tr.get(k("short")).join(), "carry into the second byte");
            assertArrayEquals(new byte[] {1, 2}, tr.get(k("long")).join(), "truncated to the parameter's length");
            assertEquals(99_999, tr.get(k("full")).join().length, "an append that would not fit is dropped");
            return null;
        });
    }

    @Test
    void concurrentAtomicAddsNeverConflict() {
        Transaction a = db.createTransaction();
        Transaction b = db.createTransaction();
        a.mutate(MutationType.ADD, k("counter"), le(1));
        b.mutate(MutationType.ADD, k("counter"), le(1));
        a.getReadVersion().join();
        b.getReadVersion().join();
        a.commit().join();
        b.commit().join();
        assertArrayEquals(le(2), db.run(tr -> tr.get(k("counter")).join()));
        a.close();
        b.close();
    }

    // ---- versionstamps ----

    @Test
    void versionstampedKeysAndValuesGetTheCommitsVersionstamp() {
        byte[] keyTemplate = ByteArrayUtil.join(k("vs/"), new byte[10], le32(k("vs/").length));
        byte[] valueTemplate = ByteArrayUtil.join(v("stamp:"), new byte[10], le32(6));
        Transaction tr = db.createTransaction();
        tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, keyTemplate, v("payload"));
        tr.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("vs-value"), valueTemplate);
        var stampFuture = tr.getVersionstamp();
        tr.commit().join();
        byte[] stamp = stampFuture.join();
        tr.close();
        assertEquals(10, stamp.length);

        List<KeyValue> stamped = db.run(t -> t.getRange(Range.startsWith(k("vs/"))).asList().join());
        assertEquals(1, stamped.size());
        assertArrayEquals(ByteArrayUtil.join(k("vs/"), stamp), stamped.getFirst().getKey());
        assertArrayEquals(ByteArrayUtil.join(v("stamp:"), stamp), db.run(t -> t.get(k("vs-value")).join()));

        Transaction later = db.createTransaction();
        later.mutate(MutationType.SET_VERSIONSTAMPED_KEY, keyTemplate, v("second"));
        var secondStamp = later.getVersionstamp();
        later.commit().join();
        assertTrue(ByteArrayUtil.compareUnsigned(stamp, secondStamp.join()) < 0, "versionstamps increase");
        later.close();
    }

    private static byte[] le32(int n) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
    }

    @Test
    void readVersionsAndCommittedVersionsAdvance() {
        Transaction first = db.createTransaction();
        long rv1 = first.getReadVersion().join();
        first.set(k("x"), v("1"));
        first.commit().join();
        long committed = first.getCommittedVersion();
        assertTrue(committed > rv1);
        Transaction second = db.createTransaction();
        assertTrue(second.getReadVersion().join() >= committed);
        second.get(k("x")).join();
        second.commit().join();
        assertEquals(-1L, second.getCommittedVersion(), "a read-only commit has no version");
        first.close();
        second.close();
    }

    // ---- conflicts ----

    @Test
    void ofTwoReadModifyWritesOfOneKeyOnlyTheFirstCommits() {
        put("balance", "100");
        Transaction a = db.createTransaction();
        Transaction b = db.createTransaction();
        int aSaw = Integer.parseInt(s(a.get(k("balance")).join()));
        int bSaw = Integer.parseInt(s(b.get(k("balance")).join()));
        a.set(k("balance"), v(Integer.toString(aSaw - 30)));
        b.set(k("balance"), v(Integer.toString(bSaw - 50)));
        a.commit().join();
        CompletionException e = assertThrows(CompletionException.class, () -> b.commit().join());
        assertEquals(1020, codeOf(e));
        assertEquals("70", s(db.run(tr -> tr.get(k("balance")).join())));
        a.close();
        b.close();
    }

    @Test
    void aRangeReadConflictsWithAnInsertIntoTheRange() {
        put("q/1", "x");
        Transaction reader = db.createTransaction();
        int count = reader.getRange(Range.startsWith(k("q/"))).asList().join().size();
        reader.set(k("q-count"), v(Integer.toString(count)));
        put("q/2", "phantom");
        assertEquals(1020, codeOf(assertThrows(CompletionException.class, () -> reader.commit().join())));
        reader.close();
    }

    @Test
    void aLimitedRangeReadDoesNotConflictBeyondWhatItRead() {
        put("r/1", "x", "r/5", "y");
        Transaction reader = db.createTransaction();
        assertEquals(1, reader.getRange(k("r/"), k("r/9"), 1).asList().join().size());
        reader.set(k("r-seen"), v("1"));
        put("r/7", "beyond the first key");
        reader.commit().join();
        reader.close();
    }

    @Test
    void snapshotReadsAddNoConflicts() {
        put("config", "v1");
        Transaction a = db.createTransaction();
        assertEquals("v1", s(a.snapshot().get(k("config")).join()));
        a.snapshot().getRange(Range.startsWith(k("config"))).asList().join();
        a.set(k("derived"), v("from v1"));
        put("config", "v2");
        a.commit().join();
        a.close();
    }

    @Test
    void explicitConflictRangesAreChecked() {
        Transaction a = db.createTransaction();
        a.getReadVersion().join();
        a.addReadConflictKey(k("lock"));
        a.set(k("work"), v("a"));
        Transaction b = db.createTransaction();
        b.addWriteConflictKey(k("lock"));
        b.set(k("other"), v("b"));
        b.commit().join();
        assertEquals(1020, codeOf(assertThrows(CompletionException.class, () -> a.commit().join())));

        Transaction c = db.createTransaction();
        c.getReadVersion().join();
        c.addReadConflictRange(k("m"), k("p"));
        c.set(k("work2"), v("c"));
        Transaction d = db.createTransaction();
        d.addWriteConflictRange(k("n"), k("o"));
        d.commit().join();
        assertEquals(1020, codeOf(assertThrows(CompletionException.class, () -> c.commit().join())));
        a.close();
        b.close();
        c.close();
        d.close();
    }

    @Test
    void writesWithoutWriteConflictRangeDoNotConflict() {
        Transaction a = db.createTransaction();
        a.get(k("quiet")).join();
        a.set(k("a-done"), v("1"));
        Transaction b = db.createTransaction();
        b.options().setNextWriteNoWriteConflictRange();
        b.set(k("quiet"), v("b"));
        b.commit().join();
        a.commit().join();
        a.close();
        b.close();
    }

    @Test
    void concurrentIncrementsThroughRunAreExactAndRetried() throws Exception {
        int threads = 8;
        int perThread = 500;
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    db.run(tr -> {
                        attempts.incrementAndGet();
                        byte[] current = tr.get(k("counter")).join();
                        long n = current == null ? 0 : Long.parseLong(s(current));
                        Thread.yield();
                        tr.set(k("counter"), v(Long.toString(n + 1)));
                        return null;
                    });
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(threads * perThread, Long.parseLong(s(db.run(tr -> tr.get(k("counter")).join()))));
        int retries = attempts.get() - threads * perThread;
        System.out.printf("%s: %d increments needed %d retries%n", getClass().getSimpleName(), threads * perThread,
                retries);
        assertTrue(retries > 0, "contending read-modify-writes must have been retried");
    }

    // ---- the retry loop ----

    @Test
    void runRetriesConflictsAndGivesUpOnFatalErrors() {
        AtomicInteger calls = new AtomicInteger();
        String result = db.run(tr -> {
            tr.get(k("contended")).join();
            if (calls.incrementAndGet() == 1) {
                put("contended", "changed underneath");
            }
            tr.set(k("contended"), v("mine"));
            return "done";
        });
        assertEquals("done", result);
        assertEquals(2, calls.get(), "the first attempt conflicted and was retried once");

        AtomicInteger fatalCalls = new AtomicInteger();
        CompletionException e = assertThrows(CompletionException.class, () -> db.run(tr -> {
            fatalCalls.incrementAndGet();
            tr.set(k("huge"), new byte[100_001]);
            return null;
        }));
        assertEquals(2103, codeOf(e));
        assertEquals(1, fatalCalls.get(), "value_too_large is not retryable");
    }

    @Test
    void retryLimitStopsTheLoop() {
        AtomicInteger calls = new AtomicInteger();
        CompletionException e = assertThrows(CompletionException.class, () -> db.run(tr -> {
            tr.options().setRetryLimit(2);
            calls.incrementAndGet();
            tr.get(k("hot")).join();
            put("hot", Integer.toString(calls.get()));
            tr.set(k("hot"), v("never"));
            return null;
        }));
        assertEquals(1020, codeOf(e));
        assertEquals(3, calls.get(), "the first attempt and two retries");
    }

    @Test
    void applicationErrorsAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        CompletionException e = assertThrows(CompletionException.class, () -> db.run(tr -> {
            calls.incrementAndGet();
            throw new IllegalStateException("domain rule broken");
        }));
        assertEquals("domain rule broken", e.getCause().getMessage());
        assertEquals(1, calls.get());
    }

    @Test
    void runAsyncRetriesConflicts() {
        AtomicInteger calls = new AtomicInteger();
        String result = db.runAsync(tr -> tr.get(k("async")).thenApply(current -> {
            if (calls.incrementAndGet() == 1) {
                put("async", "changed underneath");
            }
            tr.set(k("async"), v("mine"));
            return "ok";
        })).join();
        assertEquals("ok", result);
        assertEquals(2, calls.get());
        assertEquals("mine", s(db.readAsync(tr -> tr.get(k("async"))).join()));
    }

    // ---- limits ----

    @Test
    void keysOverTenThousandBytesFailWithKeyTooLarge() {
        byte[] big = ByteArrayUtil.join(prefix, new byte[10_001 - prefix.length]);
        assertEquals(2102, codeOf(assertThrows(CompletionException.class, () -> db.run(tr -> {
            tr.set(big, v("x"));
            return null;
        }))));
        byte[] fits = ByteArrayUtil.join(prefix, new byte[10_000 - prefix.length]);
        db.run(tr -> {
            tr.set(fits, v("x"));
            return null;
        });
    }

    @Test
    void valuesOverOneHundredThousandBytesFailWithValueTooLarge() {
        assertEquals(2103, codeOf(assertThrows(CompletionException.class, () -> db.run(tr -> {
            tr.set(k("v"), new byte[100_001]);
            return null;
        }))));
        db.run(tr -> {
            tr.set(k("v"), new byte[100_000]);
            return null;
        });
    }

    @Test
    void transactionsOverTenMegabytesFailWithTransactionTooLarge() {
        assertEquals(2101, codeOf(assertThrows(CompletionException.class, () -> db.run(tr -> {
            for (int i = 0; i < 101; i++) {
                tr.set(k("big/" + i), new byte[100_000]);
            }
            return null;
        }))));
        assertTrue(db.run(tr -> tr.getRange(Range.startsWith(k("big/"))).asList().join()).isEmpty(),
                "nothing of the oversized transaction is committed");
    }

    @Test
    void transactionsOlderThanFiveSecondsCanNeitherReadNorCommit() throws Exception {
        put("old", "x");
        Transaction reader = db.createTransaction();
        reader.get(k("old")).join();
        reader.set(k("late"), v("x"));
        age(Duration.ofMillis(5_500));
        assertEquals(1007, codeOf(assertThrows(CompletionException.class, () -> reader.get(k("old")).join())));
        assertEquals(1007, codeOf(assertThrows(CompletionException.class, () -> reader.commit().join())));
        reader.close();
    }

    @Test
    void aTooOldTransactionIsRetriedByRun() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        db.run(tr -> {
            tr.get(k("slow")).join();
            if (calls.incrementAndGet() == 1) {
                try {
                    age(Duration.ofMillis(5_500));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            tr.set(k("slow"), v("done"));
            return null;
        });
        assertEquals(2, calls.get());
    }

    @Test
    void writesOutsideTheUserKeyspaceAreRefused() {
        assertEquals(2004, codeOf(assertThrows(CompletionException.class, () -> db.run(tr -> {
            tr.set(new byte[] {(byte) 0xff, 1}, v("system"));
            return null;
        }))));
    }

    // ---- where FoundationDB's client differs from a naive one ----

    private byte[] stampedKeyTemplate(String prefixName) {
        return ByteArrayUtil.join(k(prefixName), new byte[10], le32(k(prefixName).length));
    }

    @Test
    void noWriteConflictRangeAppliesOnlyToTheVersionstampedKeyItPrecedes() {
        Transaction reader = db.createTransaction();
        reader.get(k("after-stamp")).join();
        reader.set(k("reader-done"), v("1"));
        Transaction writer = db.createTransaction();
        writer.options().setNextWriteNoWriteConflictRange();
        writer.mutate(MutationType.SET_VERSIONSTAMPED_KEY, stampedKeyTemplate("log/"), v("entry"));
        writer.set(k("after-stamp"), v("w"));
        writer.commit().join();
        assertEquals(1020, codeOf(assertThrows(CompletionException.class, () -> reader.commit().join())),
                "the set after the versionstamped key has its write conflict range");
        reader.close();
        writer.close();
    }

    @Test
    void aClearAfterAVersionstampedKeyRemovesIt() {
        db.run(tr -> {
            tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, stampedKeyTemplate("gone/"), v("entry"));
            tr.clear(Range.startsWith(k("gone/")));
            return null;
        });
        assertTrue(db.run(tr -> tr.getRange(Range.startsWith(k("gone/"))).asList().join()).isEmpty());
    }

    @Test
    void readingWhereAPendingVersionstampedKeyMayLandIsAccessedUnreadable() {
        put("elsewhere", "x");
        Transaction tr = db.createTransaction();
        tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, stampedKeyTemplate("pending/"), v("entry"));
        assertEquals(1036, codeOf(assertThrows(CompletionException.class,
                () -> tr.getRange(Range.startsWith(k("pending/"))).asList().join())));
        tr.close();
        Transaction other = db.createTransaction();
        other.mutate(MutationType.SET_VERSIONSTAMPED_KEY, stampedKeyTemplate("pending/"), v("entry"));
        assertEquals("x", s(other.get(k("elsewhere")).join()), "keys outside its possible range stay readable");
        other.close();
    }

    @Test
    void rangeReadsAddNoReadConflictOverKeysTheTransactionWroteFirst() {
        put("r/a", "1", "r/b", "2", "r/c", "3");
        Transaction tr = db.createTransaction();
        tr.set(k("r/a"), v("mine"));
        tr.clear(k("r/b"), k("r/c"));
        assertEquals(List.of("r/a", "r/c"), names(tr.getRange(k("r/a"), k("r/c\0")).asList().join()));
        tr.addReadConflictRange(k("r/a"), k("r/b\0"));
        assertArrayEquals(k("r/c"), tr.getKey(KeySelector.firstGreaterThan(k("r/a"))).join());
        put("r/a", "theirs", "r/b", "theirs");
        tr.commit().join();
        tr.close();
    }

    @Test
    void repeatedReadsAndWritesOfOneKeyCountOnceTowardsTheSizeLimit() {
        byte[] longKey = k("long/" + "k".repeat(1_000));
        put("small", "x");
        db.run(tr -> {
            for (int i = 0; i < 6_000; i++) {
                tr.get(longKey).join();
            }
            tr.set(k("small"), v("y"));
            return null;
        });
        db.run(tr -> {
            for (int i = 0; i < 250; i++) {
                tr.set(k("rewritten"), new byte[50_000]);
            }
            return null;
        });
        assertEquals(50_000, db.run(tr -> tr.get(k("rewritten")).join()).length);
    }

    @Test
    void anOldTransactionWithoutReadConflictsStillCommits() throws Exception {
        put("seen", "x");
        Transaction tr = db.createTransaction();
        tr.snapshot().get(k("seen")).join();
        tr.set(k("blind"), v("written"));
        age(Duration.ofMillis(5_500));
        tr.commit().join();
        tr.close();
        assertEquals("written", s(db.run(t -> t.get(k("blind")).join())));
    }

    @Test
    void aSetReadVersionReadsThatVersionAfterLaterCommits() {
        put("versioned", "old");
        long version = db.run(tr -> tr.getReadVersion().join());
        Transaction tr = db.createTransaction();
        tr.setReadVersion(version);
        put("versioned", "new");
        put("unrelated", "x");
        assertEquals("old", s(tr.get(k("versioned")).join()));
        tr.close();
    }

    @Test
    void clearingAKeyTooLargeToExistIsIgnored() {
        db.run(tr -> {
            tr.clear(k("huge/" + "x".repeat(10_001)));
            tr.set(k("beside"), v("kept"));
            return null;
        });
        assertEquals("kept", s(db.run(tr -> tr.get(k("beside")).join())));
    }

    @Test
    void readingASystemKeyIsKeyOutsideLegalRange() {
        assertEquals(2004, codeOf(assertThrows(CompletionException.class,
                () -> db.run(tr -> tr.get(new byte[] {(byte) 0xff}).join()))));
        assertEquals(2004, codeOf(assertThrows(CompletionException.class,
                () -> db.run(tr -> tr.get(new byte[] {(byte) 0xff, (byte) 0xff, 1}).join()))));
    }

    @Test
    void anInvertedConflictRangeIsRefused() {
        Transaction tr = db.createTransaction();
        assertEquals(2005, codeOf(assertThrows(RuntimeException.class,
                () -> tr.addReadConflictRange(k("b"), k("a")))));
        assertEquals(2005, codeOf(assertThrows(RuntimeException.class,
                () -> tr.addWriteConflictRange(k("b"), k("a")))));
        tr.close();
    }

    @Test
    void aClosedTransactionRefusesUse() {
        Transaction tr = db.createTransaction();
        tr.close();
        assertThrows(IllegalStateException.class, () -> tr.get(k("x")));
        assertThrows(IllegalStateException.class, () -> tr.set(k("x"), v("y")));
        assertThrows(IllegalStateException.class, tr::commit);
    }

    // ---- watches ----

    private static final Duration WATCH_WAIT = Duration.ofSeconds(20);

    private static void awaitFired(java.util.concurrent.CompletableFuture<Void> watch) {
        watch.orTimeout(WATCH_WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    private java.util.concurrent.CompletableFuture<Void> watchCommitted(String name) {
        return db.run(tr -> tr.watch(k(name)));
    }

    @Test
    void aWatchFiresWhenAnotherTransactionChangesTheKey() {
        put("watched", "before");
        var watch = watchCommitted("watched");
        put("other", "x");
        assertFalse(watch.isDone(), "a write to another key leaves the watch waiting");
        put("watched", "after");
        awaitFired(watch);
    }

    @Test
    void aWatchFiresWhenTheKeyIsClearedOrCreated() {
        put("cleared", "x", "ranged", "y");
        var cleared = watchCommitted("cleared");
        var ranged = watchCommitted("ranged");
        var created = watchCommitted("absent");
        db.run(tr -> {
            tr.clear(k("cleared"));
            tr.clear(k("r"), k("s"));
            tr.set(k("absent"), v("now"));
            return null;
        });
        awaitFired(cleared);
        awaitFired(ranged);
        awaitFired(created);
    }

    @Test
    void aWatchComparesWithTheValueItsTransactionWrote() {
        put("own", "old");
        var watch = db.run(tr -> {
            tr.set(k("own"), v("mine"));
            return tr.watch(k("own"));
        });
        put("unrelated", "x");
        assertFalse(watch.isDone(), "its own write is not a change");
        put("own", "theirs");
        awaitFired(watch);
    }

    @Test
    void aWatchFiresAtOnceWhenTheKeyChangedBeforeItsTransactionCommitted() {
        put("raced", "seen");
        Transaction tr = db.createTransaction();
        var watch = tr.watch(k("raced"));
        put("raced", "changed");
        tr.commit().join();
        tr.close();
        awaitFired(watch);
    }

    @Test
    void aWatchFailsWithTheCommitsErrorWhenItsTransactionDoesNotCommit() {
        put("contested", "1");
        Transaction tr = db.createTransaction();
        tr.get(k("contested")).join();
        var watch = tr.watch(k("contested"));
        tr.set(k("contested"), v("2"));
        put("contested", "3");
        assertEquals(1020, codeOf(assertThrows(CompletionException.class, () -> tr.commit().join())));
        assertEquals(1020, codeOf(assertThrows(CompletionException.class, watch::join)));
        tr.close();
    }

    @Test
    void aWatchOfACancelledOrResetTransactionFailsWithTransactionCancelled() {
        Transaction cancelled = db.createTransaction();
        var first = cancelled.watch(k("w"));
        cancelled.cancel();
        assertEquals(1025, codeOf(assertThrows(CompletionException.class, first::join)));
        cancelled.close();

        Transaction reset = db.createTransaction();
        var second = reset.watch(k("w"));
        Transaction again = reset.onError(new com.apple.foundationdb.FDBException("conflict", 1020)).join();
        assertEquals(1025, codeOf(assertThrows(CompletionException.class, second::join)));
        again.close();

        Transaction dropped = db.createTransaction();
        var third = dropped.watch(k("w"));
        dropped.close();
        assertEquals(1025, codeOf(assertThrows(CompletionException.class, third::join)));
    }

    @Test
    void watchesBeyondTheDatabasesLimitFailWithTooManyWatches() {
        db.options().setMaxWatches(2);
        var first = watchCommitted("one");
        var second = watchCommitted("two");
        Transaction tr = db.createTransaction();
        assertEquals(1101, codeOf(assertThrows(CompletionException.class, () -> tr.watch(k("three")).join())));
        tr.close();
        first.cancel(true);
        var third = watchCommitted("three");
        put("two", "x", "three", "y");
        awaitFired(second);
        awaitFired(third);
    }

    @Test
    void aWatchedCounterWakesEveryWaiter() throws Exception {
        put("counter", "0");
        List<java.util.concurrent.CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(watchCommitted("counter"));
        }
        db.run(tr -> {
            tr.mutate(MutationType.ADD, k("counter"), le(1));
            return null;
        });
        for (var watch : waiting) {
            awaitFired(watch);
        }
    }

    // ---- layers ----

    @Test
    void theDirectoryLayerWorksUnchanged() {
        List<String> path = List.of("conformance-dirs", UUID.randomUUID().toString());
        DirectoryLayer layer = DirectoryLayer.getDefault();
        DirectorySubspace created = layer.createOrOpen(db, path).join();
        DirectorySubspace reopened = layer.createOrOpen(db, path).join();
        assertArrayEquals(created.getKey(), reopened.getKey());
        DirectorySubspace child = layer.createOrOpen(db, append(path, "child")).join();
        assertNotEquals(ByteArrayUtil.printable(created.getKey()), ByteArrayUtil.printable(child.getKey()));
        assertEquals(List.of("child"), layer.list(db, path).join());
        db.run(tr -> {
            tr.set(child.pack(Tuple.from("user", 7L)), v("seven"));
            return null;
        });
        Tuple read = db.run(tr -> child.unpack(tr.getRange(child.range()).asList().join().getFirst().getKey()));
        assertEquals(Tuple.from("user", 7L), read);
        assertTrue(layer.exists(db, append(path, "child")).join());
        assertTrue(layer.removeIfExists(db, List.of(path.getFirst())).join());
        assertFalse(layer.exists(db, path).join());
    }

    private static List<String> append(List<String> path, String name) {
        List<String> out = new ArrayList<>(path);
        out.add(name);
        return out;
    }
}
