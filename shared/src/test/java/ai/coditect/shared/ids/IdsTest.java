package ai.coditect.shared.ids;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {
    private static void wellFormedAndDistinct(Supplier<String> ids) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ids.get();
            assertTrue(Ids.isWellFormed(id), id);
            assertTrue(seen.add(id), "repeated: " + id);
        }
    }

    @Test
    void entityIdsAreWellFormedAndDistinct() {
        wellFormedAndDistinct(Ids::newId);
    }

    @Test
    void requestIdsHaveTheSameFormAndAreDistinctToo() {
        wellFormedAndDistinct(Ids::newRequestId);
    }

    @Test
    void anythingElseIsNotAnId() {
        assertFalse(Ids.isWellFormed(null));
        assertFalse(Ids.isWellFormed("abc"));
        assertFalse(Ids.isWellFormed("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
        assertFalse(Ids.isWellFormed("abcdefghijklmnopqrstuvwxy1"), "1 is not in the alphabet");
        assertFalse(Ids.isWellFormed("abcdefghijklmnopqrstuvwxyz2"), "27 characters");
    }
}
