package ai.coditect.shared.store.embedded;

import ai.coditect.shared.testing.TestClock;
import com.apple.foundationdb.KeySelector;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.StreamingMode;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is particular to the embedded engine: multi-version reads, garbage collection, refused operations. */
class EngineBehaviourTest {
    private final TestClock clock = TestClock.atNow();

    @Test
    void aTransactionReadsAtItsReadVersionWhileOthersCommit() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            byte[] key = Tuple.from("k").pack();
            db.run(tr -> {
                tr.set(key, new byte[] {1});
                return null;
            });
            Transaction reader = db.createTransaction();
            assertArrayEquals(new byte[] {1}, reader.snapshot().get(key).join());
            db.run(tr -> {
                tr.set(key, new byte[] {2});
                return null;
            });
            db.run(tr -> {
                tr.clear(key);
                return null;
            });
            assertArrayEquals(new byte[] {1}, reader.snapshot().get(key).join(), "still the value at its version");
            assertEquals(1, reader.snapshot().getRange(Range.startsWith(Tuple.from("k").pack())).asList().join()
                    .size());
        }
    }

    @Test
    void aHotKeyKeepsOnlyTheVersionsLiveReadersNeed() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            byte[] hot = Tuple.from("hot").pack();
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                db.run(tr -> {
                    tr.set(hot, Tuple.from(n).pack());
                    return null;
                });
            }
            assertTrue(db.store().versionCount(hot) <= 2, "versions kept: " + db.store().versionCount(hot));

            Transaction reader = db.createTransaction();
            assertArrayEquals(Tuple.from(999).pack(), reader.get(hot).join());
            for (int i = 0; i < 100; i++) {
                int n = 1_000 + i;
                db.run(tr -> {
                    tr.set(hot, Tuple.from(n).pack());
                    return null;
                });
            }
            assertArrayEquals(Tuple.from(999).pack(), reader.snapshot().get(hot).join(),
                    "a live reader still sees its version");
            reader.close();
            db.run(tr -> {
                tr.set(hot, Tuple.from(-1).pack());
                return null;
            });
            assertTrue(db.store().versionCount(hot) <= 2, "released: " + db.store().versionCount(hot));
        }
    }

    @Test
    void clearedKeysAndOldVersionsAreCollectedOnceNoReaderCanSeeThem() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            for (int batch = 0; batch < 10; batch++) {
                int b = batch;
                db.run(tr -> {
                    for (int i = 0; i < 1_000; i++) {
                        tr.set(Tuple.from("s", b, i).pack(), new byte[16]);
                    }
                    return null;
                });
            }
            db.run(tr -> {
                tr.clear(Range.startsWith(Tuple.from("s").pack()));
                return null;
            });
            assertEquals(10_000, db.store().keyCount(), "readers within five seconds may still need them");
            clock.advance(Duration.ofSeconds(7));
            for (int i = 0; i < 40; i++) {
                db.run(tr -> {
                    tr.set(Tuple.from("tick").pack(), new byte[1]);
                    return null;
                });
            }
            assertTrue(db.store().keyCount() < 100, "left: " + db.store().keyCount());
        }
    }

    @Test
    void oldVersionsGoOnceTheReaderLeavesWithoutAnotherWriteToTheKey() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            byte[] hot = Tuple.from("hot").pack();
            Transaction reader = db.createTransaction();
            reader.get(hot).join();
            for (int i = 0; i < 20_000; i++) {
                int n = i;
                db.run(tr -> {
                    tr.set(hot, Tuple.from(n).pack());
                    return null;
                });
            }
            assertTrue(db.store().versionCount(hot) > 10_000, "the reader still needs the first version");
            reader.close();
            for (int i = 0; i < 400; i++) {
                db.run(tr -> {
                    tr.set(Tuple.from("elsewhere").pack(), new byte[1]);
                    return null;
                });
            }
            assertTrue(db.store().versionCount(hot) <= 1, "kept: " + db.store().versionCount(hot));
        }
    }

    @Test
    void aReaderLeftOpenHoldsOldVersionsForFiveSecondsAtMost() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            byte[] hot = Tuple.from("hot").pack();
            Transaction forgotten = db.createTransaction();
            forgotten.get(hot).join();
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                db.run(tr -> {
                    tr.set(hot, Tuple.from(n).pack());
                    return null;
                });
            }
            clock.advance(Duration.ofSeconds(7));
            for (int i = 0; i < 40; i++) {
                db.run(tr -> {
                    tr.set(Tuple.from("elsewhere").pack(), new byte[1]);
                    return null;
                });
            }
            assertTrue(db.store().versionCount(hot) <= 1, "kept: " + db.store().versionCount(hot));
            forgotten.close();
        }
    }

    @Test
    void unsupportedOperationsSayWhichOperation() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            Transaction tr = db.createTransaction();
            assertTrue(assertThrows(UnsupportedOperationException.class, () -> db.openTenant(Tuple.from("t")))
                    .getMessage().contains("tenants"));
            assertTrue(assertThrows(UnsupportedOperationException.class, () -> tr.getMappedRange(
                    KeySelector.firstGreaterOrEqual(new byte[0]), KeySelector.firstGreaterOrEqual(new byte[] {1}),
                    new byte[0], 0, false, StreamingMode.WANT_ALL)).getMessage().contains("getMappedRange"));
            assertTrue(assertThrows(UnsupportedOperationException.class,
                    () -> tr.options().setReadYourWritesDisable()).getMessage().contains("option 51"));
            tr.options().setPriorityBatch();
            tr.close();
        }
    }

    @Test
    void aTimedOutTransactionFailsWithTransactionTimedOut() {
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory(clock)) {
            db.options().setTransactionTimeout(1_000);
            Transaction tr = db.createTransaction();
            tr.get(new byte[] {1}).join();
            clock.advance(Duration.ofMillis(1_001));
            assertEquals(1031, ai.coditect.shared.testing.FdbErrorCodes.codeOf(
                    assertThrows(RuntimeException.class, () -> tr.get(new byte[] {1}).join())));
            tr.close();
        }
    }
}
