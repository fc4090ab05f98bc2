package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.tuple.Tuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process that {@link CrashSafetyTest} kills: writers commit in a tight loop, each commit setting a pair of
 * keys and incrementing a counter, and print {@code ACK <n>} once a commit is acknowledged.
 * Arguments: directory, segment bytes, writer count, first index.
 */
public final class CrashWorkload {
    private CrashWorkload() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long segmentBytes = Long.parseLong(args[1]);
        int writers = Integer.parseInt(args[2]);
        AtomicLong next = new AtomicLong(Long.parseLong(args[3]));
        Database db = EmbeddedDatabase.open(dir, Clock.systemUTC(), segmentBytes);
        byte[] one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array();
        for (int w = 0; w < writers; w++) {
            Thread.ofPlatform().start(() -> {
                while (true) {
                    long n = next.getAndIncrement();
                    byte[] payload = new byte[(int) (n % 512)];
                    db.run(tr -> {
                        tr.set(Tuple.from("commit", n).pack(), payload);
                        tr.set(Tuple.from("pair", n).pack(), Tuple.from(n).pack());
                        tr.mutate(MutationType.ADD, Tuple.from("count").pack(), one);
                        return null;
                    });
                    synchronized (System.out) {
                        System.out.println("ACK " + n);
                        System.out.flush();
                    }
                }
            });
        }
    }
}
