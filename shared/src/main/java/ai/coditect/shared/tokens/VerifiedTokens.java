package ai.coditect.shared.tokens;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature, issuer, audience and claims already verified, keyed by the SHA-256 of the token (the
 * token itself is not kept). A client sends the same token with every request; parsing it and checking its RSA
 * signature again would give the same answer, so only what changes with time (expiry, not-before, issue time)
 * is checked again. Bounded: when full, entries past their expiry go, and if that is not enough all of them
 * (each costs one full verification to come back).
 */
final class VerifiedTokens {
    /** What a verification found, and until when it may stand in for another. */
    record Entry(AccessToken token, Instant notBefore, Instant reusableUntil) {
    }

    /** Cloned for each digest: cheaper than looking the algorithm up among the providers every time. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<ByteBuffer, Entry> entries = new ConcurrentHashMap<>();
    private final int capacity;
    private final Duration reuseFor;

    /**
     * At most {@code capacity} tokens, each reused for at most {@code reuseFor} after its verification (so a key
     * removed from a fetched key set stops being honoured as soon as the key set itself is fetched again).
     */
    VerifiedTokens(int capacity, Duration reuseFor) {
        this.capacity = capacity;
        this.reuseFor = reuseFor;
    }

    static ByteBuffer key(String token) {
        try {
            MessageDigest digest = (MessageDigest) SHA_256.clone();
            return ByteBuffer.wrap(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    /** The earlier verification of the token with this key, or null when there is none that may be reused now. */
    Entry get(ByteBuffer key, Instant now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (!now.isBefore(entry.reusableUntil())) {
            entries.remove(key, entry);
            return null;
        }
        return entry;
    }

    void put(ByteBuffer key, AccessToken token, Instant notBefore, Instant now) {
        if (entries.size() >= capacity) {
            entries.values().removeIf(e -> !now.isBefore(e.reusableUntil()));
            if (entries.size() >= capacity) {
                entries.clear();
            }
        }
        Instant until = now.plus(reuseFor);
        Instant expiry = token.expiresAt().plusSeconds(TokenVerifier.MAX_CLOCK_SKEW_SECONDS);
        entries.put(key, new Entry(token, notBefore, until.isBefore(expiry) ? until : expiry));
    }

    int size() {
        return entries.size();
    }
}
