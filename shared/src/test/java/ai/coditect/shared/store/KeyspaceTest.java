package ai.coditect.shared.store;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.directory.DirectoryLayer;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.ByteArrayUtil;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyspaceTest {
    private final Database db = EmbeddedDatabase.inMemory();

    private static boolean inside(Range r, byte[] key) {
        return ByteArrayUtil.compareUnsigned(r.begin, key) <= 0 && ByteArrayUtil.compareUnsigned(key, r.end) < 0;
    }

    @Test
    void theLayoutIsStableAcrossOpens() {
        Keyspace a = Keyspace.open(db, "local");
        Keyspace b = Keyspace.open(db, "local");
        assertArrayEquals(a.user("t1", "u1"), b.user("t1", "u1"));
        Keyspace other = Keyspace.open(db, "staging");
        assertFalse(ByteArrayUtil.printable(a.user("t1", "u1")).equals(ByteArrayUtil.printable(other.user("t1", "u1"))),
                "environments do not share keys");
    }

    @Test
    void everyTenantOwnedKeyLivesUnderItsTenant() {
        Keyspace ks = Keyspace.open(db, "local");
        Range t1 = ks.tenantRange("t1");
        assertTrue(inside(t1, ks.user("t1", "u")));
        assertTrue(inside(t1, ks.session("t1", "s")));
        assertTrue(inside(t1, ks.sessionByUser("t1", "u", "s")));
        assertTrue(inside(t1, ks.sessionLastAccess("t1", "s")));
        assertTrue(inside(t1, ks.workspace("t1", "u")));
        assertFalse(inside(t1, ks.user("t2", "u")));
        assertFalse(inside(t1, ks.session("t10", "s")), "a tenant id that extends another is a different tenant");
    }

    @Test
    void tenantKeysPackedInOneGoAreTheBytesOfTheNestedSubspaces() {
        // data written before keys were packed in one go must still be found
        Keyspace ks = Keyspace.open(db, "local");
        Subspace tenant = DirectoryLayer.getDefault().open(db, List.of("coditect", "local")).join()
                .get("tenant").get("t1");
        assertArrayEquals(tenant.get("user").pack(Tuple.from("u1")), ks.user("t1", "u1"));
        assertArrayEquals(tenant.get("session").pack(Tuple.from("s1")), ks.session("t1", "s1"));
        assertArrayEquals(tenant.get("session_by_user").pack(Tuple.from("u1", "s1")),
                ks.sessionByUser("t1", "u1", "s1"));
        assertArrayEquals(tenant.get("session_last_access").pack(Tuple.from("s1")), ks.sessionLastAccess("t1", "s1"));
        assertArrayEquals(tenant.get("workspace").pack(Tuple.from("u1")), ks.workspace("t1", "u1"));
        assertArrayEquals(tenant.get("agents").get("record").pack(Tuple.from("a1")), ks.agent("t1", "a1"));
        assertArrayEquals(tenant.get("tasks").get("record").pack(Tuple.from("k1")), ks.task("t1", "k1"));
        assertArrayEquals(tenant.get("kb").get("doc").pack(Tuple.from("d1")), ks.knowledgeDocument("t1", "d1"));
    }

    @Test
    void sessionsOfAUserAndTheExpiryIndexDecode() {
        Keyspace ks = Keyspace.open(db, "local");
        Range mine = ks.sessionsOfUser("t1", "u1");
        assertTrue(inside(mine, ks.sessionByUser("t1", "u1", "s9")));
        assertFalse(inside(mine, ks.sessionByUser("t1", "u10", "s9")));
        assertEquals("s9", ks.sessionIdOfSessionByUser("t1", ks.sessionByUser("t1", "u1", "s9")));

        Range before = ks.sessionExpiryBefore(1_000);
        assertTrue(inside(before, ks.sessionExpiry(999, "t", "s")));
        assertFalse(inside(before, ks.sessionExpiry(1_000, "t", "s")));
        assertEquals(new Keyspace.ExpiryEntry(999, "t", "s"), ks.sessionExpiryEntry(ks.sessionExpiry(999, "t", "s")));
        assertEquals(new Keyspace.Owner("t", "u"), ks.runningWorkspaceOwner(ks.runningWorkspace("t", "u")));
    }

    @Test
    void millisAreLittleEndianSoThatAtomicMaxOrdersThem() {
        assertEquals(1_700_000_000_123L, Keyspace.millis(Keyspace.millis(1_700_000_000_123L)));
        assertEquals((byte) 0x7b, Keyspace.millis(1_700_000_000_123L)[0]);
        assertEquals(0, Keyspace.millis((byte[]) null));
    }

    @Test
    void environmentNamesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Keyspace.open(db, "Prod/../x"));
        assertThrows(IllegalArgumentException.class, () -> Keyspace.open(db, ""));
    }
}
