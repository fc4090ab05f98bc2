package ai.coditect.shared.store;

import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.store.Keyspace.AgentEpoch;
import ai.coditect.shared.store.Keyspace.AttemptWindow;
import ai.coditect.shared.store.Keyspace.ChunkRef;
import ai.coditect.shared.store.Keyspace.IdempotentTask;
import ai.coditect.shared.store.Keyspace.Owner;
import ai.coditect.shared.store.Keyspace.Posting;
import com.apple.foundationdb.tuple.Tuple;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every value codec of the key layout: what it writes reads back, and what it did not write is refused by name. */
class ValueCodecsTest {
    private static final Instant T = Instant.parse("2026-11-29T10:15:30.123Z");

    private static <T> T roundTrip(ValueCodec<T> codec, T value) {
        return codec.decode(codec.encode(value));
    }

    private static void refused(ValueCodec<?> codec, byte[] bytes, String why) {
        MalformedValueException e = assertThrows(MalformedValueException.class, () -> codec.decode(bytes));
        assertTrue(e.getMessage().contains(codec.describe()), "the error names what was expected: " + e.getMessage());
        assertTrue(e.getMessage().contains(why), "the error says what is wrong (" + why + "): " + e.getMessage());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void markersAreEmptyAndAnythingElseIsRefused() {
        assertEquals(0, Keyspace.marker().length);
        assertEquals(Keyspace.Marker.PRESENT, Keyspace.MARKER.decode(new byte[0]));
        refused(Keyspace.MARKER, new byte[] {1}, "1 bytes where none belong");
    }

    @Test
    void millisAndCountersAreTheEightLittleEndianBytesAtomicMutationsUse() {
        assertEquals(T.toEpochMilli(), roundTrip(Keyspace.MILLIS, T.toEpochMilli()));
        assertArrayEquals(Keyspace.millis(T.toEpochMilli()), Keyspace.MILLIS.encode(T.toEpochMilli()),
                "the layout on disk is unchanged");
        assertEquals(-3L, roundTrip(Keyspace.COUNTER, -3L));
        assertEquals(1, Keyspace.COUNTER.encode(1L)[0]);
        refused(Keyspace.MILLIS, new byte[4], "4 bytes instead of 8");
        refused(Keyspace.COUNTER, new byte[9], "9 bytes instead of 8");
    }

    @Test
    void anAbsentValueIsNoValueOfAnyCodec() {
        refused(Keyspace.MILLIS, null, "no value");
        refused(Keyspace.EMAIL_OWNER, null, "no value");
    }

    @Test
    void theEmailIndexHoldsTheTupleOfTenantAndUser() {
        Owner owner = new Owner("t1", "u1");
        assertEquals(owner, roundTrip(Keyspace.EMAIL_OWNER, owner));
        assertArrayEquals(Tuple.from("t1", "u1").pack(), Keyspace.EMAIL_OWNER.encode(owner),
                "the layout on disk is unchanged");
        refused(Keyspace.EMAIL_OWNER, Tuple.from("t1").pack(), "1 elements instead of 2");
        refused(Keyspace.EMAIL_OWNER, Tuple.from("t1", 7L).pack(), "userId is not a non-empty string");
        refused(Keyspace.EMAIL_OWNER, Tuple.from("", "u").pack(), "tenantId is not a non-empty string");
        refused(Keyspace.EMAIL_OWNER, new byte[] {(byte) 0xff, 0x13}, "not");
    }

    @Test
    void attemptWindowsReadWhatTheServicesAlwaysWrote() {
        AttemptWindow w = new AttemptWindow(T, 2, T.plusSeconds(5));
        assertEquals(w, roundTrip(Keyspace.ATTEMPT_WINDOW, w));
        AttemptWindow stored = Keyspace.ATTEMPT_WINDOW.decode(
                utf8("{\"start\":\"2026-11-29T10:15:30.123Z\",\"attempts\":2,\"last\":\"2026-11-29T10:15:35.123Z\"}"));
        assertEquals(w, stored);
        assertEquals(new AttemptWindow(T, 0, null),
                Keyspace.ATTEMPT_WINDOW.decode(utf8("{\"start\":\"2026-11-29T10:15:30.123Z\",\"attempts\":0}")));
        refused(Keyspace.ATTEMPT_WINDOW, utf8("start=yesterday"), "not JSON");
        refused(Keyspace.ATTEMPT_WINDOW, utf8("[1,2]"), "not a JSON object");
        refused(Keyspace.ATTEMPT_WINDOW, utf8("{\"attempts\":1}"), "no start");
        refused(Keyspace.ATTEMPT_WINDOW, utf8("{\"start\":\"2026-11-29T10:15:30Z\",\"attempts\":-1}"), "negative");
        refused(Keyspace.ATTEMPT_WINDOW, utf8("{\"start\":\"soon\",\"attempts\":1}"), "soon");
    }

    @Test
    void anAttemptWindowPassesAtItsEnd() {
        Duration hour = Duration.ofHours(1);
        AttemptWindow w = new AttemptWindow(T, 3, T);
        assertFalse(w.passed(hour, T.plus(hour).minusMillis(1)));
        assertTrue(w.passed(hour, T.plus(hour)));
        assertEquals(new AttemptWindow(T.plus(hour), 0, null), AttemptWindow.at(w, hour, T.plus(hour)));
        assertEquals(w, AttemptWindow.at(w, hour, T.plusSeconds(1)));
        assertEquals(2, w.minusOne().attempts());
        assertEquals(0, new AttemptWindow(T, 0, null).minusOne().attempts());
    }

    @Test
    void outboxEntriesAreEventEnvelopes() {
        Event e = Event.of(EventType.CLEANUP_TICK, null, null, Map.of("k", "v"),
                Clock.fixed(T, ZoneOffset.UTC));
        assertEquals(e, roundTrip(Keyspace.EVENT, e));
        assertArrayEquals(e.toJson(), Keyspace.EVENT.encode(e), "the layout on disk is unchanged");
        refused(Keyspace.EVENT, utf8("{\"type\":\"cleanup.tick\",\"occurredAt\":\"2026-11-29T10:15:30Z\"}"), "no id");
        refused(Keyspace.EVENT, utf8("{\"id\":\"x\""), "not JSON");
    }

    @Test
    void agentEpochsAndIdempotencyKeysAreTuples() {
        assertEquals(new AgentEpoch(4, "w1"), roundTrip(Keyspace.AGENT_EPOCH, new AgentEpoch(4, "w1")));
        assertArrayEquals(Tuple.from(4L, "w1").pack(), Keyspace.AGENT_EPOCH.encode(new AgentEpoch(4, "w1")));
        refused(Keyspace.AGENT_EPOCH, Tuple.from("4", "w1").pack(), "epoch is not an integer");
        IdempotentTask i = new IdempotentTask("task1", "abc");
        assertEquals(i, roundTrip(Keyspace.IDEMPOTENT_TASK, i));
        assertArrayEquals(Tuple.from("task1", "abc").pack(), Keyspace.IDEMPOTENT_TASK.encode(i));
        refused(Keyspace.IDEMPOTENT_TASK, Tuple.from("task1").pack(), "1 elements instead of 2");
    }

    @Test
    void queueEntriesHoldTaskIdsInAscii() {
        assertEquals("task-1", roundTrip(Keyspace.TASK_ID, "task-1"));
        assertArrayEquals("task-1".getBytes(StandardCharsets.US_ASCII), Keyspace.TASK_ID.encode("task-1"));
        refused(Keyspace.TASK_ID, new byte[0], "empty");
        refused(Keyspace.TASK_ID, utf8("two words"), "not printable ASCII");
        byte[] position = {1, 2, 3};
        assertArrayEquals(position, roundTrip(Keyspace.QUEUE_POSITION, position));
        refused(Keyspace.QUEUE_POSITION, new byte[0], "fewer than 1");
    }

    @Test
    void knowledgeValuesKeepTheirFormats() {
        assertEquals("doc-é", roundTrip(Keyspace.DOCUMENT_ID, "doc-é"));
        refused(Keyspace.DOCUMENT_ID, new byte[] {(byte) 0xc3}, "not UTF-8");
        byte[] half = {(byte) 0xc3};
        assertArrayEquals(half, roundTrip(Keyspace.RAW_TEXT, half), "a part may end inside a UTF-8 sequence");
        refused(Keyspace.VECTOR, new byte[4], "fewer than 5");
        assertEquals(new Posting(3, 120), roundTrip(Keyspace.POSTING, new Posting(3, 120)));
        assertArrayEquals(Tuple.from(3L, 120L).pack(), Keyspace.POSTING.encode(new Posting(3, 120)));
        assertEquals(new ChunkRef("d", 7), roundTrip(Keyspace.CHUNK_REF, new ChunkRef("d", 7)));
        assertArrayEquals(Tuple.from("d", 7L).pack(), Keyspace.CHUNK_REF.encode(new ChunkRef("d", 7)));
        refused(Keyspace.CHUNK_REF, Tuple.from("d", "7").pack(), "chunkNo is not an integer");
    }

    @Test
    void aRecordCodecIsOnlyHandedOutForThePartThatHoldsThatType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Keyspace.record(Keyspace.Part.SESSION, AttemptWindow.class));
        assertTrue(e.getMessage().contains("tenant/<tid>/session"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Keyspace.record(Keyspace.Part.SESSION_LAST_ACCESS, AttemptWindow.class),
                "a part of layout-shaped values holds no records");
    }
}
