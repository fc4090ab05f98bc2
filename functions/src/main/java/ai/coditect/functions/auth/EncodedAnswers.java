package ai.coditect.functions.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Answers encoded once, kept per key (a session id): a session is checked every few seconds and its answer only
 * changes with its records or its last access, so the same answer (by {@code equals}, every field) is written as
 * the bytes encoded the last time. Only the bytes of an equal answer are reused, never another key's. Bounded:
 * when full it starts over.
 */
final class EncodedAnswers<T> {
    private record Encoded<T>(T answer, byte[] bytes) {
    }

    private final ConcurrentHashMap<String, Encoded<T>> encoded = new ConcurrentHashMap<>();
    private final Function<T, byte[]> encoder;
    private final int capacity;

    EncodedAnswers(Function<T, byte[]> encoder, int capacity) {
        this.encoder = encoder;
        this.capacity = capacity;
    }

    /** The bytes of {@code answer}, the answer for {@code key}; the caller must not change them. */
    byte[] encode(String key, T answer) {
        Encoded<T> known = encoded.get(key);
        if (known != null && known.answer().equals(answer)) {
            return known.bytes();
        }
        byte[] bytes = encoder.apply(answer);
        if (encoded.size() >= capacity) {
            encoded.clear();
        }
        encoded.put(key, new Encoded<>(answer, bytes));
        return bytes;
    }
}
