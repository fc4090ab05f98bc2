package ai.coditect.shared.store.embedded;

/**
 * A conflict range of a transaction, {@code [begin, end)}. A range read grows its read conflict range as it
 * advances, so the bounds are mutable; they are only touched under the transaction's lock.
 */
final class ConflictRange {
    byte[] begin;
    byte[] end;

    ConflictRange(byte[] begin, byte[] end) {
        this.begin = begin;
        this.end = end;
    }

    static ConflictRange ofKey(byte[] key) {
        return new ConflictRange(key, Keys.after(key));
    }

    int bytes() {
        return begin.length + end.length;
    }
}
