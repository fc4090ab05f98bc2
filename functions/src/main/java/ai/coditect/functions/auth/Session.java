package ai.coditect.functions.auth;

import java.time.Instant;

/**
 * A login session, stored at {@code tenant/<tid>/session/(sessionId)}. Its last access lives apart, in
 * {@code session_last_access}, written with atomic MAX so that concurrent requests never conflict.
 */
public record Session(String id, String tenantId, String userId, Instant createdAt, Instant expiresAt,
                      Instant revokedAt, String userAgent) {
    boolean isRevoked() {
        return revokedAt != null;
    }

    Session revoked(Instant at) {
        return new Session(id, tenantId, userId, createdAt, expiresAt, at, userAgent);
    }
}
