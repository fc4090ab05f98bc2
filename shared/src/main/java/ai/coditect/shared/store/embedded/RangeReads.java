package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.KeySelector;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.StreamingMode;
import com.apple.foundationdb.async.AsyncIterable;

/**
 * The twelve {@code getRange} overloads of {@link ReadTransaction}, all answered by one range read. Limits default to
 * unlimited, ends given as keys mean "first key greater or equal", and streaming modes are accepted and ignored (the
 * embedded engine has no network batches to size).
 */
interface RangeReads extends ReadTransaction {

    /** Reads {@code [begin, end)} resolved from selectors, at most {@code limit} pairs (0: all), in key order or reversed. */
    AsyncIterable<KeyValue> rangeRead(KeySelector begin, KeySelector end, int limit, boolean reverse);

    @Override
    default AsyncIterable<KeyValue> getRange(KeySelector begin, KeySelector end) {
        return rangeRead(begin, end, ROW_LIMIT_UNLIMITED, false);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(KeySelector begin, KeySelector end, int limit) {
        return rangeRead(begin, end, limit, false);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(KeySelector begin, KeySelector end, int limit, boolean reverse) {
        return rangeRead(begin, end, limit, reverse);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(KeySelector begin, KeySelector end, int limit, boolean reverse,
                                             StreamingMode mode) {
        return rangeRead(begin, end, limit, reverse);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(byte[] begin, byte[] end) {
        return getRange(begin, end, ROW_LIMIT_UNLIMITED, false);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(byte[] begin, byte[] end, int limit) {
        return getRange(begin, end, limit, false);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(byte[] begin, byte[] end, int limit, boolean reverse) {
        return rangeRead(KeySelector.firstGreaterOrEqual(begin), KeySelector.firstGreaterOrEqual(end), limit, reverse);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(byte[] begin, byte[] end, int limit, boolean reverse,
                                             StreamingMode mode) {
        return getRange(begin, end, limit, reverse);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(Range range) {
        return getRange(range.begin, range.end);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(Range range, int limit) {
        return getRange(range.begin, range.end, limit);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(Range range, int limit, boolean reverse) {
        return getRange(range.begin, range.end, limit, reverse);
    }

    @Override
    default AsyncIterable<KeyValue> getRange(Range range, int limit, boolean reverse, StreamingMode mode) {
        return getRange(range.begin, range.end, limit, reverse);
    }
}
