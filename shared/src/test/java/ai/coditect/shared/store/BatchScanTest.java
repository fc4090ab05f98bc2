package ai.coditect.shared.store;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchScanTest {
    private final Database db = EmbeddedDatabase.inMemory();
    private final Subspace space = new Subspace(Tuple.from("scan"));

    private void write(int n) {
        Transactions.run(db, tr -> {
            for (int i = 0; i < n; i++) {
                tr.set(space.pack(Tuple.from(String.format("k%03d", i))), new byte[] {(byte) i});
            }
            // a key that is exactly the key after another one: resuming after "k000" must still read it
            tr.set(Keyspace.keyAfter(space.pack(Tuple.from("k000"))), new byte[] {9});
            return null;
        });
    }

    @Test
    void aReadVisitsEveryKeyOnceInBatchesThatResumeAfterTheLastKey() {
        write(25);
        List<byte[]> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        BatchScan.read(db, space.range(), 10, (tr, batch) -> batch, batch -> {
            sizes.add(batch.size());
            batch.forEach(kv -> seen.add(kv.getKey()));
            return true;
        });
        assertEquals(List.of(10, 10, 6), sizes);
        assertEquals(26, seen.size());
        assertEquals(26, seen.stream().map(java.util.HexFormat.of()::formatHex).distinct().count());
    }

    @Test
    void aChangeCommitsEachBatchAndStopsWhenAsked() {
        write(25);
        int[] batches = {0};
        BatchScan.change(db, space.range(), 10, (tr, batch) -> {
            batch.forEach(kv -> tr.clear(kv.getKey()));
            return batch.size();
        }, cleared -> ++batches[0] < 2);
        Range all = space.range();
        List<KeyValue> left = Transactions.read(db, tr -> tr.getRange(all).asList().join());
        assertEquals(2, batches[0]);
        assertEquals(6, left.size(), "two batches of ten were cleared, the rest was not read");
    }

    @Test
    void aBatchThatFillsExactlyIsFollowedByAnEmptyOne() {
        Transactions.run(db, tr -> {
            for (int i = 0; i < 10; i++) {
                tr.set(space.pack(Tuple.from(i)), new byte[0]);
            }
            return null;
        });
        List<Integer> sizes = new ArrayList<>();
        BatchScan.read(db, space.range(), 5, (tr, batch) -> batch.size(), n -> sizes.add(n));
        assertEquals(List.of(5, 5, 0), sizes);
    }
}
