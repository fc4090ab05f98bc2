package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.tuple.Tuple;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One transaction of 700 {@code COMPARE_AND_CLEAR}s on keys holding 99 KB values: small to FoundationDB (each
 * mutation counts its key and operand), but 69 MB if the log kept every resulting value. Five of the mutations
 * match and clear their key. Three small commits follow it. As a program (for {@link CrashSafetyTest}): runs the
 * workload on the directory given, prints {@code DONE} once every commit is acknowledged, and waits to be killed.
 */
public final class LargeMutationWorkload {
    static final int KEYS = 700;
    static final int VALUE_BYTES = 99_000;
    static final int CLEARED = 5;
    static final int LATER_COMMITS = 3;

    private LargeMutationWorkload() {
    }

    public static void main(String[] args) throws Exception {
        Database db = EmbeddedDatabase.open(Path.of(args[0]), Clock.systemUTC(), Long.parseLong(args[1]));
        run(db);
        System.out.println("DONE");
        System.out.flush();
        System.in.read(); // until killed
    }

    static void run(Database db) {
        for (int first = 0; first < KEYS; first += 90) {
            int from = first;
            db.run(tr -> {
                for (int i = from; i < Math.min(from + 90, KEYS); i++) {
                    tr.set(key(i), value(i));
                }
                return null;
            });
        }
        db.run(tr -> {
            for (int i = 0; i < KEYS; i++) {
                byte[] operand = i < CLEARED ? value(i) : Tuple.from("not the value", i).pack();
                tr.mutate(MutationType.COMPARE_AND_CLEAR, key(i), operand);
            }
            return null;
        });
        for (int j = 0; j < LATER_COMMITS; j++) {
            int n = j;
            db.run(tr -> {
                tr.set(Tuple.from("later", n).pack(), Tuple.from(n).pack());
                return null;
            });
        }
    }

    /** Checks every acknowledged commit of {@link #run}. */
    static void verify(Database db) {
        db.read(tr -> {
            for (int i = 0; i < KEYS; i++) {
                byte[] value = tr.get(key(i)).join();
                if (i < CLEARED) {
                    assertTrue(value == null, "key " + i + " was cleared by its matching COMPARE_AND_CLEAR");
                } else {
                    assertTrue(Arrays.equals(value(i), value), "key " + i + " kept its value"); // 99 KB: no diff
                }
            }
            for (int j = 0; j < LATER_COMMITS; j++) {
                assertNotNull(tr.get(Tuple.from("later", j).pack()).join(), "commit " + j + " after the large one");
            }
            return null;
        });
    }

    private static byte[] key(int i) {
        return Tuple.from("large", i).pack();
    }

    private static byte[] value(int i) {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) i);
        ByteBuffer.wrap(value).putInt(i);
        return value;
    }
}
