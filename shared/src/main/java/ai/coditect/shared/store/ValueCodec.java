package ai.coditect.shared.store;

/**
 * How the values of one subspace are written and read. {@link Keyspace} owns one codec per subspace; reading bytes
 * its codec did not write fails with {@link MalformedValueException} rather than with a half-read value.
 */
public interface ValueCodec<T> {
    byte[] encode(T value);

    /** The value in {@code bytes}; never null. */
    T decode(byte[] bytes);

    /** What the codec reads, for error messages and the key-layout table (e.g. "8-byte LE epoch millis"). */
    String describe();
}
