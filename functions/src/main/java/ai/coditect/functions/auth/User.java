package ai.coditect.functions.auth;

import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.ValueCodec;

import java.time.Instant;

/** A user, stored at {@code tenant/<tid>/user/(userId)}. Its password hash never leaves the functions. */
public record User(String id, String tenantId, String email, String name, String passwordHash, Instant createdAt) {
    /** How a user is stored: the one codec of the layout's {@code user} subspace. */
    static final ValueCodec<User> CODEC = Keyspace.record(Keyspace.Part.USER, User.class);

    User withPasswordHash(String hash) {
        return new User(id, tenantId, email, name, hash, createdAt);
    }
}
