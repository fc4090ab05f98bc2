package ai.coditect.functions.agents;

import ai.coditect.shared.config.Environment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's policy from the environment: defaults when unset, and a refusal that names the variable. */
class AgentPolicyTest {
    @Test
    void unsetVariablesKeepTheDefaultsAndSetOnesReplaceThem() {
        assertEquals(AgentPolicy.DEFAULT, AgentPolicy.read(new Environment(Map.of())));
        AgentPolicy set = AgentPolicy.read(new Environment(Map.of("CODITECT_AGENT_LEASE", "10s",
                "CODITECT_TASK_CLAIM_TIMEOUT", "2m", "CODITECT_TASK_MAX_ATTEMPTS", "5",
                "CODITECT_TASK_RETRY_BACKOFF", "2s", "CODITECT_TASK_MAX_RETRY_BACKOFF", "30s")));
        assertEquals(new AgentPolicy(Duration.ofSeconds(10), Duration.ofMinutes(2), 5, Duration.ofSeconds(2),
                Duration.ofSeconds(30), AgentPolicy.DEFAULT.maxWait(), AgentPolicy.DEFAULT.claimCandidates()), set);
    }

    @Test
    void aValueOutOfRangeIsRefusedWithTheVariablesName() {
        for (Map.Entry<String, String> bad : Map.of("CODITECT_AGENT_LEASE", "500ms",
                "CODITECT_TASK_CLAIM_TIMEOUT", "0s", "CODITECT_TASK_MAX_ATTEMPTS", "0",
                "CODITECT_TASK_RETRY_BACKOFF", "2m").entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    AgentPolicy.read(new Environment(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }
}
