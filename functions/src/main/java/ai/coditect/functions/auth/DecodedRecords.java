package ai.coditect.functions.auth;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A record decoder that remembers what it decoded, keyed by the stored bytes themselves: the session check reads
 * the same session and user records on every request of a session, and decoding the same bytes always gives the
 * same (immutable) record. The store is still read every time; a record that changed has other bytes and is
 * decoded afresh. Bounded: when full it starts over.
 */
final class DecodedRecords<T> {
    private final ConcurrentHashMap<ByteBuffer, T> decoded = new ConcurrentHashMap<>();
    private final Function<byte[], T> decoder;
    private final int capacity;

    DecodedRecords(Function<byte[], T> decoder, int capacity) {
        this.decoder = decoder;
        this.capacity = capacity;
    }

    /** The record stored as {@code bytes}, or null for null. */
    T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        ByteBuffer key = ByteBuffer.wrap(bytes);
        T known = decoded.get(key);
        if (known != null) {
            return known;
        }
        T record = decoder.apply(bytes);
        if (decoded.size() >= capacity) {
            decoded.clear();
        }
        decoded.put(ByteBuffer.wrap(bytes.clone()), record); // the key must not change with the caller's array
        return record;
    }
}
