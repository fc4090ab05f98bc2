package ai.coditect.shared.store;

import ai.coditect.shared.json.Json;
import com.apple.foundationdb.tuple.Tuple;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;

/** The kinds of value encoding the key layout uses; {@link Keyspace} names one of them for every subspace. */
final class Codecs {
    private Codecs() {
    }

    /** A codec from an encoder, a decoder that may throw anything on bad bytes, and a description. */
    static <T> ValueCodec<T> of(String description, Function<T, byte[]> encode, Function<byte[], T> decode) {
        return new ValueCodec<>() {
            @Override
            public byte[] encode(T value) {
                return encode.apply(value);
            }

            @Override
            public T decode(byte[] bytes) {
                if (bytes == null) {
                    throw new MalformedValueException("no value where " + description + " was expected");
                }
                T value;
                try {
                    value = decode.apply(bytes);
                } catch (MalformedValueException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new MalformedValueException("a stored value is not " + description + ": " + e.getMessage(),
                            e);
                }
                if (value == null) {
                    throw new MalformedValueException("a stored value is not " + description);
                }
                return value;
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    /** A signed 64-bit integer as 8 little-endian bytes, the operand of atomic {@code ADD} and {@code MAX}. */
    static ValueCodec<Long> littleEndianLong(String description) {
        return of(description, v -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(), b -> {
            if (b.length != 8) {
                throw new IllegalArgumentException(b.length + " bytes instead of 8");
            }
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        });
    }

    /** A JSON object read into {@code type} by the one mapper, then checked by {@code check}. */
    static <T> ValueCodec<T> json(Class<T> type, String description, Consumer<T> check) {
        return of(description, Json::bytes, b -> {
            JsonNode tree;
            try {
                tree = Json.mapper().readTree(b);
            } catch (IOException e) {
                throw new IllegalArgumentException("not JSON (" + firstLine(e) + ")");
            }
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            T value;
            try {
                value = Json.mapper().treeToValue(tree, type);
            } catch (IOException e) {
                throw new IllegalArgumentException(firstLine(e));
            }
            check.accept(value);
            return value;
        });
    }

    /** A packed tuple of exactly {@code size} elements. */
    static <T> ValueCodec<T> tuple(String description, int size, Function<T, Tuple> to, Function<Tuple, T> from) {
        return of(description, v -> to.apply(v).pack(), b -> {
            Tuple t = Tuple.fromBytes(b);
            if (t.size() != size) {
                throw new IllegalArgumentException(t.size() + " elements instead of " + size);
            }
            return from.apply(t);
        });
    }

    /** A string element of a tuple that must be there. */
    static String text(Tuple t, int index, String name) {
        if (!(t.get(index) instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException(name + " is not a non-empty string");
        }
        return s;
    }

    /** An integer element of a tuple. */
    static long number(Tuple t, int index, String name) {
        if (!(t.get(index) instanceof Long n)) {
            throw new IllegalArgumentException(name + " is not an integer");
        }
        return n;
    }

    /** Non-empty text in strict UTF-8. */
    static ValueCodec<String> utf8(String description) {
        return of(description, s -> s.getBytes(StandardCharsets.UTF_8), b -> {
            if (b.length == 0) {
                throw new IllegalArgumentException("empty");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("not UTF-8");
            }
        });
    }

    /** Non-empty printable ASCII without spaces: an id. */
    static ValueCodec<String> id(String description) {
        return of(description, s -> s.getBytes(StandardCharsets.US_ASCII), b -> {
            if (b.length == 0) {
                throw new IllegalArgumentException("empty");
            }
            for (byte c : b) {
                if (c < 0x21 || c > 0x7e) {
                    throw new IllegalArgumentException("not printable ASCII");
                }
            }
            return new String(b, StandardCharsets.US_ASCII);
        });
    }

    /** Bytes of at least {@code min}, taken as they are. */
    static ValueCodec<byte[]> bytes(String description, int min) {
        return of(description, byte[]::clone, b -> {
            if (b.length < min) {
                throw new IllegalArgumentException(b.length + " bytes, fewer than " + min);
            }
            return b.clone();
        });
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
