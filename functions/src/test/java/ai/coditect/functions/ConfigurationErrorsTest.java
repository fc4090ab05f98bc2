package ai.coditect.functions;

import ai.coditect.functions.agents.AgentsFunction;
import ai.coditect.functions.auth.AuthFunction;
import ai.coditect.functions.auth.JwksFunction;
import ai.coditect.functions.cleanup.CleanupFunction;
import ai.coditect.functions.workspaces.ProvisionFunction;
import ai.coditect.functions.workspaces.WorkspacesFunction;
import ai.coditect.shared.tokens.SigningKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every variable is read and checked when a function starts, and a refusal names the variable to set and shows an
 * example: {@code CODITECT_X must be … e.g. CODITECT_X=…}.
 */
class ConfigurationErrorsTest {
    /** What the auth function needs, so that each case below breaks one thing only. */
    private static Map<String, String> auth(String... overrides) {
        Map<String, String> env = new HashMap<>(Map.of("CODITECT_GCP_PROJECT", "p", "CODITECT_ISSUER",
                "https://coditect.example.com", "CODITECT_SIGNING_KEYS_FILE", "/secrets/keys.json"));
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    private static void refused(String variable, Executable start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, start);
        assertTrue(e.getMessage().startsWith(variable + " ") || e.getMessage().startsWith("Set " + variable),
                "names " + variable + " first: " + e.getMessage());
        assertTrue(e.getMessage().contains("e.g. " + variable), "gives an example: " + e.getMessage());
    }

    @Test
    void theAuthFunctionStartsOnItsOwnVariables() {
        AuthFunction.Config config = AuthFunction.configuration(auth());
        assertEquals("fdb:", config.store().url());
        assertEquals("https://coditect.example.com", config.tokens().issuer());
    }

    @Test
    void aMissingRequiredVariableIsNamedWithAnExample() {
        refused("CODITECT_GCP_PROJECT", () -> AuthFunction.configuration(Map.of()));
        Map<String, String> noIssuer = auth();
        noIssuer.remove("CODITECT_ISSUER");
        refused("CODITECT_ISSUER", () -> AuthFunction.configuration(noIssuer));
        Map<String, String> noKeys = auth();
        noKeys.remove("CODITECT_SIGNING_KEYS_FILE");
        refused("CODITECT_SIGNING_KEYS", () -> AuthFunction.configuration(noKeys));
    }

    @Test
    void malformedValuesAreNamedWithAnExample() {
        refused("CODITECT_SESSION_LIFETIME", () -> AuthFunction.configuration(auth("CODITECT_SESSION_LIFETIME", "soon")));
        refused("CODITECT_SESSIONS_PER_USER", () -> AuthFunction.configuration(auth("CODITECT_SESSIONS_PER_USER", "many")));
        refused("CODITECT_STORE", () -> AuthFunction.configuration(auth("CODITECT_STORE", "postgres://db")));
        refused("CODITECT_ENV", () -> AuthFunction.configuration(auth("CODITECT_ENV", "prod/../x")));
        refused("CODITECT_ISSUER", () -> AuthFunction.configuration(auth("CODITECT_ISSUER", "coditect")));
        refused("PUBSUB_EMULATOR_HOST", () -> AuthFunction.configuration(auth("PUBSUB_EMULATOR_HOST", "localhost")));
        refused("CODITECT_PUBLISH_TIMEOUT", () -> AuthFunction.configuration(auth("CODITECT_PUBLISH_TIMEOUT", "2s")));
    }

    @Test
    void policyLimitsNameTheirVariable() {
        refused("CODITECT_LOGIN_MAX_FAILURES", () -> AuthFunction.configuration(
                auth("CODITECT_LOGIN_MAX_FAILURES", "0")));
        refused("CODITECT_HASH_CONCURRENCY", () -> AuthFunction.configuration(auth("CODITECT_HASH_CONCURRENCY", "0")));
        refused("CODITECT_FORWARDED_HOP", () -> AuthFunction.configuration(auth("CODITECT_FORWARDED_HOP", "0")));
        refused("CODITECT_SIGNUP_MAX_PER_ADDRESS", () -> AuthFunction.configuration(
                auth("CODITECT_SIGNUP_MAX_PER_ADDRESS", "0")));
        refused("CODITECT_SESSIONS_PER_USER", () -> AuthFunction.configuration(
                auth("CODITECT_SESSIONS_PER_USER", "5000")));
        refused("CODITECT_WORKSPACE_IDLE_TIMEOUT", () -> CleanupFunction.configuration(Map.of(
                "CODITECT_GCP_PROJECT", "p", "CODITECT_WORKSPACE_IDLE_TIMEOUT", "0s")));
    }

    @Test
    void theWorkspaceBackendIsCheckedAndAutoIsResolvedAtStart() {
        refused("CODITECT_WORKSPACE_BACKEND", () -> ProvisionFunction.configuration(Map.of(
                "CODITECT_PUBLIC_URL", "https://coditect.example.com", "CODITECT_WORKSPACE_BACKEND", "docker")));
        ProvisionFunction.Config auto = ProvisionFunction.configuration(Map.of(
                "CODITECT_PUBLIC_URL", "https://coditect.example.com", "CODITECT_WORKSPACE_BACKEND", "auto",
                "KUBERNETES_SERVICE_HOST", "10.0.0.1"));
        assertEquals("kubernetes", auto.workspaces().backend(), "in a pod, auto is Kubernetes, decided at start");
        refused("CODITECT_PUBLIC_URL", () -> ProvisionFunction.configuration(Map.of()));
    }

    @Test
    void functionsThatOnlyVerifyAskForThePublicKeysNotTheSigningKeys() {
        Map<String, String> signingKeysOnly = Map.of("CODITECT_GCP_PROJECT", "p",
                "CODITECT_ISSUER", "https://coditect.example.com", "CODITECT_SIGNING_KEYS", "{}");
        refused("CODITECT_PUBLIC_KEYS", () -> JwksFunction.configuration(signingKeysOnly));
        refused("CODITECT_PUBLIC_KEYS", () -> WorkspacesFunction.configuration(signingKeysOnly));
        refused("CODITECT_PUBLIC_KEYS", () -> AgentsFunction.configuration(signingKeysOnly));
    }

    @Test
    void aPrivateKeyGivenAsAPublicKeyIsRefusedAtStart() {
        String privateSet = SigningKeys.generate().toPrivateJson();
        JwksFunction.Config config = JwksFunction.configuration(Map.of("CODITECT_PUBLIC_KEYS", privateSet));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.keys().load());
        assertTrue(e.getMessage().startsWith("CODITECT_PUBLIC_KEYS holds private key material"), e.getMessage());
    }

    @Test
    void cleanupAndProvisionNeedNoKeysAndNoIssuer() {
        CleanupFunction.configuration(Map.of("CODITECT_GCP_PROJECT", "p"));
        ProvisionFunction.configuration(Map.of("CODITECT_PUBLIC_URL", "https://coditect.example.com"));
    }
}
