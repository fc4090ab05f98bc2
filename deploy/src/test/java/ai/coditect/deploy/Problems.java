package ai.coditect.deploy;

import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Fails a check with every problem it found, one "file:line: what to do" per line. */
final class Problems {
    private Problems() {
    }

    static void assertNone(String check, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(check + ":\n  " + String.join("\n  ", problems));
        }
    }
}
