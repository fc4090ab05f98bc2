package ai.coditect.functions.workspaces;

import ai.coditect.shared.ids.Ids;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A workspace agent token names its workspace only when its ids are ids the platform makes. */
class AgentTokensTest {
    private static final String SECRET = "A".repeat(43);

    @Test
    void aGeneratedTokenNamesItsWorkspace() {
        String tid = Ids.newId();
        String uid = Ids.newId();
        assertEquals(new AgentTokens.Claim(tid, uid), AgentTokens.claim(AgentTokens.generate(tid, uid)).orElseThrow());
    }

    @Test
    void idsThatThePlatformCannotHaveMadeAreRefusedBeforeAnyLookUp() {
        String id = Ids.newId();
        List<String> hostile = Arrays.asList(
                null,
                "",
                "..",
                "t.u." + SECRET,                                   // short ids
                id.toUpperCase() + "." + id + "." + SECRET,        // upper case is not in the alphabet
                id + "." + id + "1." + SECRET,                     // 27 characters
                id + "\u0000." + id + "." + SECRET,                // a NUL inside an id
                "../" + id.substring(3) + "." + id + "." + SECRET, // path characters
                id + "." + id + "." + SECRET + ".",                // a fourth, empty part
                id + "." + id + "." + SECRET.substring(1),         // a secret too short
                id + "." + id + "." + SECRET + "A",                // a secret too long
                id + "." + id + "." + "A".repeat(42) + "=",        // padding or other characters
                id + "." + id + "." + "A".repeat(42) + "é",
                id + "." + id + "." + "A".repeat(300));
        for (String token : hostile) {
            assertTrue(AgentTokens.claim(token).isEmpty(), () -> "claimed: " + token);
        }
    }
}
