package ai.coditect.functions.auth;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.MutationType;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** The keys of one session, written and read together inside the caller's transaction. */
final class Sessions {
    private final Keyspace keys;

    Sessions(Keyspace keys) {
        this.keys = keys;
    }

    /** Writes a new session: its record, the user's index entry, its last access and its expiry index entry. */
    void create(Transaction tr, Session s) {
        tr.set(keys.session(s.tenantId(), s.id()), Json.bytes(s));
        tr.set(keys.sessionByUser(s.tenantId(), s.userId(), s.id()), new byte[0]);
        tr.set(keys.sessionLastAccess(s.tenantId(), s.id()), Keyspace.millis(s.createdAt().toEpochMilli()));
        tr.set(keys.sessionExpiry(s.expiresAt().toEpochMilli(), s.tenantId(), s.id()), new byte[0]);
    }

    CompletableFuture<Session> read(ReadTransaction tr, String tenantId, String sessionId) {
        return tr.get(keys.session(tenantId, sessionId))
                .thenApply(bytes -> bytes == null ? null : Json.read(bytes, Session.class));
    }

    /** The last access, read without a conflict: other requests of the session move it all the time. */
    CompletableFuture<Instant> lastAccess(Transaction tr, Session s) {
        return tr.snapshot().get(keys.sessionLastAccess(s.tenantId(), s.id()))
                .thenApply(bytes -> bytes == null ? s.createdAt() : Instant.ofEpochMilli(Keyspace.millis(bytes)));
    }

    /** Records an access with atomic MAX: no read, no conflict, and the latest time wins whatever the order. */
    void touch(Transaction tr, Session s, Instant now) {
        tr.mutate(MutationType.MAX, keys.sessionLastAccess(s.tenantId(), s.id()),
                Keyspace.millis(now.toEpochMilli()));
    }

    void revoke(Transaction tr, Session s, Instant now) {
        if (!s.isRevoked()) {
            tr.set(keys.session(s.tenantId(), s.id()), Json.bytes(s.revoked(now)));
        }
    }
}
