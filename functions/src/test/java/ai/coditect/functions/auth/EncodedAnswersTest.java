package ai.coditect.functions.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class EncodedAnswersTest {
    private record Answer(String session, String lastAccess) {
    }

    private final AtomicInteger encodings = new AtomicInteger();
    private final EncodedAnswers<Answer> answers = new EncodedAnswers<>(a -> {
        encodings.incrementAndGet();
        return (a.session() + "@" + a.lastAccess()).getBytes(StandardCharsets.UTF_8);
    }, 3);

    private String encode(String key, Answer answer) {
        return new String(answers.encode(key, answer), StandardCharsets.UTF_8);
    }

    @Test
    void anEqualAnswerIsWrittenFromTheBytesEncodedBefore() {
        byte[] first = answers.encode("s1", new Answer("s1", "10:00"));
        assertSame(first, answers.encode("s1", new Answer("s1", "10:00")));
        assertEquals(1, encodings.get());
    }

    @Test
    void aChangedAnswerIsEncodedAgain() {
        assertEquals("s1@10:00", encode("s1", new Answer("s1", "10:00")));
        assertEquals("s1@10:01", encode("s1", new Answer("s1", "10:01")));
        assertEquals(2, encodings.get());
    }

    @Test
    void eachKeyHasItsOwnAnswer() {
        assertEquals("s1@10:00", encode("s1", new Answer("s1", "10:00")));
        assertEquals("s2@10:00", encode("s2", new Answer("s2", "10:00")));
        assertEquals("s1@10:00", encode("s1", new Answer("s1", "10:00")));
        assertEquals(2, encodings.get());
    }

    @Test
    void whenFullItStartsOverAndStillAnswersRight() {
        for (int i = 0; i < 10; i++) {
            assertEquals("s" + i + "@t", encode("s" + i, new Answer("s" + i, "t")));
        }
        assertEquals("s0@t", encode("s0", new Answer("s0", "t")));
        assertEquals(11, encodings.get(), "s0 was dropped when the map started over");
    }
}
