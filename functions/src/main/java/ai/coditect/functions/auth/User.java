package ai.coditect.functions.auth;

import java.time.Instant;

/** A user, stored at {@code tenant/<tid>/user/(userId)}. Its password hash never leaves the functions. */
public record User(String id, String tenantId, String email, String name, String passwordHash, Instant createdAt) {
    User withPasswordHash(String hash) {
        return new User(id, tenantId, email, name, hash, createdAt);
    }
}
