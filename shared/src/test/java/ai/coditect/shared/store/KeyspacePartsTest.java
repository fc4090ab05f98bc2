package ai.coditect.shared.store;

import ai.coditect.shared.store.embedded.EmbeddedDatabase;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every key the layout builds is claimed by exactly the part the table names, and nothing else is. */
class KeyspacePartsTest {
    private final Database db = EmbeddedDatabase.inMemory();
    private final Keyspace ks = Keyspace.open(db, "local");

    private Map<byte[], Keyspace.Part> everyKindOfKey() {
        Map<byte[], Keyspace.Part> keys = new LinkedHashMap<>();
        keys.put(ks.userByEmail("a@b.c"), Keyspace.Part.USERS_BY_EMAIL);
        keys.put(ks.user("t", "u"), Keyspace.Part.USER);
        keys.put(ks.session("t", "s"), Keyspace.Part.SESSION);
        keys.put(ks.sessionByUser("t", "u", "s"), Keyspace.Part.SESSION_BY_USER);
        keys.put(ks.sessionLastAccess("t", "s"), Keyspace.Part.SESSION_LAST_ACCESS);
        keys.put(ks.sessionExpiry(5, "t", "s"), Keyspace.Part.SESSION_EXPIRY);
        keys.put(ks.loginFailures("a@b.c"), Keyspace.Part.LOGIN_FAILURES);
        keys.put(ks.signupAttempts("10.0.0.1"), Keyspace.Part.SIGNUP_ATTEMPTS);
        keys.put(ks.loginFailures("a@b.c", "10.0.0.1"), Keyspace.Part.LOGIN_FAILURES_BY_ADDRESS);
        keys.put(ks.loginFailuresOfAddress("10.0.0.1"), Keyspace.Part.LOGIN_FAILURES_OF_ADDRESS);
        keys.put(ks.workspace("t", "u"), Keyspace.Part.WORKSPACE);
        keys.put(ks.workspaceActivity("t", "u"), Keyspace.Part.WORKSPACE_ACTIVITY);
        keys.put(ks.runningWorkspace("t", "u"), Keyspace.Part.RUNNING_WORKSPACES);
        keys.put(ks.processedEvent("e"), Keyspace.Part.PROCESSED_EVENTS);
        keys.put(ks.agent("t", "a"), Keyspace.Part.AGENT);
        keys.put(ks.agentEpoch("t", "a"), Keyspace.Part.AGENT_EPOCH);
        keys.put(ks.agentBySkill("t", "sk", "a"), Keyspace.Part.AGENT_BY_SKILL);
        keys.put(ks.agentLeaseExpiry("t", 5, "a"), Keyspace.Part.AGENT_LEASE_EXPIRY);
        keys.put(ks.agentTenant("t"), Keyspace.Part.AGENT_TENANTS);
        keys.put(ks.task("t", "k"), Keyspace.Part.TASK);
        keys.put(ks.taskHistory("t", "k", 2), Keyspace.Part.TASK_HISTORY);
        keys.put(ks.taskQueued("t", "k"), Keyspace.Part.TASK_QUEUED);
        keys.put(ks.taskOfAgent("t", "a", "k"), Keyspace.Part.TASK_BY_AGENT);
        keys.put(ks.taskClaimExpiry("t", 5, "k"), Keyspace.Part.TASK_CLAIM_EXPIRY);
        keys.put(ks.taskDelayed("t", 5, "k"), Keyspace.Part.TASK_DELAYED);
        keys.put(ks.skillSignal("t", "sk"), Keyspace.Part.TASK_SIGNAL);
        keys.put(ks.agentSignal("t", "a"), Keyspace.Part.TASK_SIGNAL);
        keys.put(ks.taskIdempotency("t", "p", "key"), Keyspace.Part.TASK_IDEMPOTENCY);
        keys.put(ks.knowledgeDocument("t", "d"), Keyspace.Part.KB_DOCUMENT);
        keys.put(ks.knowledgeDocumentByPath("t", "c", "p"), Keyspace.Part.KB_DOCUMENT_BY_PATH);
        keys.put(ks.knowledgeRaw("t", "d", 0), Keyspace.Part.KB_RAW);
        keys.put(ks.knowledgeChunk("t", "d", 1), Keyspace.Part.KB_CHUNK);
        keys.put(ks.knowledgeVector("t", "d", 1), Keyspace.Part.KB_VECTOR);
        keys.put(ks.knowledgePosting("t", "term", "d", 1), Keyspace.Part.KB_POSTING);
        keys.put(ks.knowledgeTermCount("t", "term"), Keyspace.Part.KB_TERM_DF);
        keys.put(ks.knowledgeStat("t", "chunks"), Keyspace.Part.KB_STATS);
        keys.put(ks.knowledgeLogTrimmed("t"), Keyspace.Part.KB_LOG_TRIMMED);
        return keys;
    }

    @Test
    void everyKeyTheLayoutBuildsIsClaimedByItsPart() {
        Set<Keyspace.Part> seen = EnumSet.noneOf(Keyspace.Part.class);
        everyKindOfKey().forEach((key, part) -> {
            Keyspace.Located at = ks.locate(key);
            assertEquals(part, at.part(), part.path());
            if (part.path().startsWith("tenant/")) {
                assertEquals("t", at.tenantId(), part.path());
            }
            seen.add(part);
        });
        assertEquals(ks.locate(ks.sessionExpiry(5, "t", "s")).key(), Tuple.from(5L, "t", "s"));
        // the versionstamped parts are checked after a commit fills their versionstamps in, below
        assertEquals(EnumSet.complementOf(EnumSet.of(Keyspace.Part.OUTBOX, Keyspace.Part.TASK_QUEUE,
                Keyspace.Part.TASK_INBOX, Keyspace.Part.KB_LOG)), seen);
    }

    @Test
    void versionstampedKeysAreClaimedOnceTheCommitFilledThemIn() {
        Transactions.run(db, tr -> {
            tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, ks.outboxEntry(0).param(), new byte[] {1});
            tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, ks.taskQueueEntry("t", "sk", 0, 1).param(), new byte[] {1});
            tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, ks.taskInboxEntry("t", "a", 2).param(), new byte[] {1});
            tr.mutate(MutationType.SET_VERSIONSTAMPED_KEY, ks.knowledgeLogEntry("t", 3), new byte[] {1});
            return null;
        });
        List<Keyspace.Part> parts = new ArrayList<>();
        for (KeyValue kv : Transactions.read(db, tr -> tr.getRange(ks.outbox()).asList().join())) {
            parts.add(ks.locate(kv.getKey()).part());
        }
        for (KeyValue kv : Transactions.read(db, tr -> tr.getRange(ks.tenantRange("t")).asList().join())) {
            parts.add(ks.locate(kv.getKey()).part());
        }
        assertEquals(Set.of(Keyspace.Part.OUTBOX, Keyspace.Part.TASK_QUEUE, Keyspace.Part.TASK_INBOX,
                Keyspace.Part.KB_LOG), Set.copyOf(parts));
        assertEquals(4, parts.size());
    }

    @Test
    void keysOutsideThePartsAreNotClaimed() {
        Subspace root = new Subspace(Tuple.fromBytes(new byte[0]));
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> ks.locate(root.pack(Tuple.from("elsewhere"))));
        assertTrue(foreign.getMessage().contains("not under this key layout"), foreign.getMessage());
        byte[] prefix = ks.tenantRange("t").begin;
        byte[] tenantRoot = java.util.Arrays.copyOf(prefix, prefix.length - 1); // a range begins at prefix + 0x00
        // a subspace name the table does not have, under a tenant
        byte[] unknown = com.apple.foundationdb.tuple.ByteArrayUtil.join(
                java.util.Arrays.copyOf(tenantRoot, tenantRoot.length), Tuple.from("notes", "x").pack());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ks.locate(unknown));
        assertTrue(e.getMessage().contains("no subspace of the key layout"), e.getMessage());
        byte[] withNull = com.apple.foundationdb.tuple.ByteArrayUtil.join(tenantRoot, Tuple.from((Object) null).pack());
        assertThrows(IllegalArgumentException.class, () -> ks.locate(withNull));
        // a known subspace with a key of the wrong shape
        byte[] sessionPrefix = ks.session("t", "s");
        byte[] wrongShape = com.apple.foundationdb.tuple.ByteArrayUtil.join(
                java.util.Arrays.copyOf(sessionPrefix, sessionPrefix.length), Tuple.from(1L).pack());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> ks.locate(wrongShape));
        assertTrue(shape.getMessage().contains("tenant/<tid>/session"), shape.getMessage());
    }

    @Test
    void theKeyAfterAKeyIsTheFirstKeyAScanResumingThereMayRead() {
        byte[] k = ks.task("t", "a");
        Range after = ks.tasksOfTenant("t", "a");
        assertEquals(0, com.apple.foundationdb.tuple.ByteArrayUtil.compareUnsigned(Keyspace.keyAfter(k), after.begin));
        assertTrue(com.apple.foundationdb.tuple.ByteArrayUtil.compareUnsigned(k, Keyspace.keyAfter(k)) < 0);
        Range sessions = ks.sessionsOfUser("t", "u", "s1");
        assertEquals(0, com.apple.foundationdb.tuple.ByteArrayUtil.compareUnsigned(
                Keyspace.keyAfter(ks.sessionByUser("t", "u", "s1")), sessions.begin));
        assertEquals(0, com.apple.foundationdb.tuple.ByteArrayUtil.compareUnsigned(
                ks.sessionsOfUser("t", "u").end, sessions.end));
    }
}
