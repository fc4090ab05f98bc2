package ai.coditect.shared.store;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VersionstampKeysTest {
    @Test
    void aPackedKeyBecomesTheTupleWithTheCommitsVersionstamp() {
        Subspace log = new Subspace(Tuple.from("log"));
        try (EmbeddedDatabase db = EmbeddedDatabase.inMemory()) {
            Transaction tr = db.createTransaction();
            tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY,
                    VersionstampKeys.pack(log, Tuple.from("entry", Versionstamp.incomplete(7), "tail")), new byte[] {1});
            var stamp = tr.getVersionstamp();
            tr.commit().join();
            tr.close();
            byte[] key = db.run(t -> t.getRange(log.range()).asList().join().getFirst().getKey());
            assertEquals(Tuple.from("entry", Versionstamp.complete(stamp.join(), 7), "tail"), log.unpack(key));
        }
    }

    @Test
    void aTupleNeedsExactlyOneIncompleteVersionstampAtItsTopLevel() {
        byte[] prefix = {1};
        assertThrows(IllegalArgumentException.class, () -> VersionstampKeys.pack(prefix, Tuple.from("none")));
        assertThrows(IllegalArgumentException.class, () -> VersionstampKeys.pack(prefix,
                Tuple.from(Versionstamp.incomplete(), Versionstamp.incomplete(1))));
        assertThrows(IllegalArgumentException.class, () -> VersionstampKeys.pack(prefix,
                Tuple.from(Tuple.from(Versionstamp.incomplete()))));
    }
}
