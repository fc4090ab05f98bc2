package ai.coditect.functions.auth;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.ValueCodec;

import java.time.Instant;

/**
 * A login session, stored at {@code tenant/<tid>/session/(sessionId)}. Its last access lives apart, in
 * {@code session_last_access}, written with atomic MAX so that concurrent requests never conflict.
 */
public record Session(String id, String tenantId, String userId, Instant createdAt, Instant expiresAt,
                      Instant revokedAt, String userAgent) {
    /** How a session is stored: the one codec of the layout's {@code session} subspace. */
    public static final ValueCodec<Session> CODEC = Keyspace.record(Keyspace.Part.SESSION, Session.class);

    boolean isRevoked() {
        return revokedAt != null;
    }

    Session revoked(Instant at) {
        return new Session(id, tenantId, userId, createdAt, expiresAt, at, userAgent);
    }
}
