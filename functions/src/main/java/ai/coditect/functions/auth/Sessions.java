package ai.coditect.functions.auth;

import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The keys of one session, written and read together inside the caller's transaction. */
final class Sessions {
    /** Index entries read beyond the cap when making room, so users over it shrink back a few at a time. */
    private static final int SLACK = 10;
    /** Session records kept decoded: one per active session, a few hundred bytes each. */
    private static final int DECODED = 10_000;

    private final Keyspace keys;
    private final DecodedRecords<Session> records = new DecodedRecords<>(Session.CODEC::decode, DECODED);

    Sessions(Keyspace keys) {
        this.keys = keys;
    }

    /** Writes a new session: its record, the user's index entry, its last access and its expiry index entry. */
    void create(Transaction tr, Session s) {
        tr.set(keys.session(s.tenantId(), s.id()), Session.CODEC.encode(s));
        tr.set(keys.sessionByUser(s.tenantId(), s.userId(), s.id()), Keyspace.marker());
        tr.set(keys.sessionLastAccess(s.tenantId(), s.id()), Keyspace.MILLIS.encode(s.createdAt().toEpochMilli()));
        tr.set(keys.sessionExpiry(s.expiresAt().toEpochMilli(), s.tenantId(), s.id()), Keyspace.marker());
    }

    CompletableFuture<Session> read(ReadTransaction tr, String tenantId, String sessionId) {
        return read(tr, keys.session(tenantId, sessionId));
    }

    /** The session stored under {@code key}, a {@link Keyspace#session} key the caller packed before. */
    CompletableFuture<Session> read(ReadTransaction tr, byte[] key) {
        return tr.get(key).thenApply(records::decode);
    }

    /**
     * The last access recorded for a session, read without a conflict: other requests of the session move it all
     * the time. Needs only the ids, so it can be read alongside the session record; empty when none is recorded
     * (the session's creation time stands in).
     */
    CompletableFuture<Optional<Instant>> lastAccess(ReadTransaction tr, String tenantId, String sessionId) {
        return lastAccess(tr, keys.sessionLastAccess(tenantId, sessionId));
    }

    /** The last access stored under {@code key}, a {@link Keyspace#sessionLastAccess} key; as above. */
    CompletableFuture<Optional<Instant>> lastAccess(ReadTransaction tr, byte[] key) {
        return tr.snapshot().get(key)
                .thenApply(bytes -> Optional.ofNullable(bytes)
                        .map(b -> Instant.ofEpochMilli(Keyspace.MILLIS.decode(b))));
    }

    /**
     * Records an access when the recorded one ({@code lastAccess}, read by the caller) is at least
     * {@code granularity} old; otherwise writes nothing, so the caller's transaction stays read-only and commits
     * nothing. The write is an atomic MAX: no read, no conflict, and the latest time wins whatever the order.
     * Returns whether it wrote.
     */
    boolean touch(Transaction tr, Session s, Instant lastAccess, Instant now, Duration granularity) {
        if (now.isBefore(lastAccess.plus(granularity))) {
            return false;
        }
        tr.mutate(MutationType.MAX, keys.sessionLastAccess(s.tenantId(), s.id()),
                Keyspace.MILLIS.encode(now.toEpochMilli()));
        return true;
    }

    /** Removes every key of a session: its token is refused from the commit on. */
    void remove(Transaction tr, Session s) {
        tr.clear(keys.session(s.tenantId(), s.id()));
        tr.clear(keys.sessionByUser(s.tenantId(), s.userId(), s.id()));
        tr.clear(keys.sessionLastAccess(s.tenantId(), s.id()));
        tr.clear(keys.sessionExpiry(s.expiresAt().toEpochMilli(), s.tenantId(), s.id()));
    }

    /**
     * Makes room for one more session of a user under {@code max}: when the user holds {@code max} or more, the
     * ended ones (revoked, expired) go first, then the oldest. Reads at most {@code max + SLACK} index entries, so
     * the transaction stays small even for a user with more (they go over the next logins).
     */
    void makeRoom(Transaction tr, String tenantId, String userId, int max, Instant now) {
        List<KeyValue> entries = tr.getRange(keys.sessionsOfUser(tenantId, userId), max + SLACK).asList().join();
        if (entries.size() < max) {
            return;
        }
        List<CompletableFuture<Session>> reads = new ArrayList<>(entries.size());
        for (KeyValue kv : entries) {
            reads.add(read(tr, tenantId, keys.sessionIdOfSessionByUser(tenantId, kv.getKey())));
        }
        List<Session> held = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Session s = reads.get(i).join();
            if (s == null) {
                tr.clear(entries.get(i).getKey()); // an index entry whose session is gone
            } else {
                held.add(s);
            }
        }
        held.sort(Comparator.comparing((Session s) -> !(s.isRevoked() || !now.isBefore(s.expiresAt())))
                .thenComparing(Session::createdAt));
        for (int i = 0; i < held.size() - max + 1; i++) {
            remove(tr, held.get(i));
        }
    }

    void revoke(Transaction tr, Session s, Instant now) {
        if (!s.isRevoked()) {
            tr.set(keys.session(s.tenantId(), s.id()), Session.CODEC.encode(s.revoked(now)));
        }
    }
}
