package ai.coditect.sidecar;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training run of the image's AOT cache: a real sidecar answers over HTTP, then everything stops. */
class TrainingTest {
    @Test
    void theStartedSidecarAnswersItsProbesOverHttpAndIsStoppedAfterwards() throws Exception {
        Training.Run run = Training.run(Clock.systemUTC());
        assertEquals(200, run.answers().get("/healthz"));
        assertTrue(List.of(200, 503).contains(run.answers().get("/readyz")), run.answers().toString());
        assertThrows(IOException.class, () -> Training.status(run.managementPort(), "/healthz"),
                "the management port still answers");
        assertThrows(IOException.class, () -> Training.status(run.port(), "/"), "the public port still answers");
    }

    @Test
    void theTrainingProcessExitsByItselfOnceItHasAsked() throws Exception {
        // the JVM writes -XX:AOTCacheOutput only as it exits: a thread left running would hang the image build
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train")
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the process closes its output, at exit
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the training process did not exit");
        String log = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("coditect-sidecar training answers={/healthz=200, /readyz="), log);
    }
}
