package ai.coditect.functions.workspaces;

import ai.coditect.shared.config.Environment;
import ai.coditect.shared.ids.Ids;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster's workspace sidecars get the browser-facing settings the provisioner was given, so that a web app on a
 * site of its own (workspaces on their own domain) can frame the IDE with a {@code SameSite=None} cookie.
 */
class WorkspacePodSettingsTest {
    private static final Workspace WS = new Workspace(Ids.newId(), Ids.newId(), Ids.newId(), WorkspaceStatus.PROVISIONING,
            null, null, null, null, null, Instant.now(), Instant.now(), null, null, null, null);

    private static Map<String, String> sidecarEnv(Map<String, String> provisionerEnv) {
        WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(provisionerEnv), "kubernetes",
                URI.create("https://coditect.example.com"), Duration.ZERO);
        V1Container sidecar = new KubernetesObjects(config).pod(WS, "https://" + WS.id() + ".ws.example.dev/")
                .getSpec().getContainers().stream().filter(c -> c.getName().equals("sidecar")).findFirst()
                .orElseThrow();
        return sidecar.getEnv().stream().collect(Collectors.toMap(V1EnvVar::getName, V1EnvVar::getValue));
    }

    @Test
    void aWebAppOnAnotherSiteReachesTheSidecarsSettings() {
        Map<String, String> env = sidecarEnv(Map.of(
                "CODITECT_WEB_ORIGIN", "https://app.example.com",
                "CODITECT_SIGN_IN_URL", "https://app.example.com/login",
                "CODITECT_COOKIE_SAMESITE", "None",
                "CODITECT_PUBLIC_SCHEME", "https"));
        assertEquals("https://app.example.com", env.get("CODITECT_WEB_ORIGIN"));
        assertEquals("https://app.example.com/login", env.get("CODITECT_SIGN_IN_URL"));
        assertEquals("None", env.get("CODITECT_COOKIE_SAMESITE"));
        assertEquals("https", env.get("CODITECT_PUBLIC_SCHEME"));
        assertEquals("https://coditect.example.com/v1/auth/session", env.get("CODITECT_SESSION_URL"));
    }

    @Test
    void whatTheSidecarAcceptsTheProvisionerPassesOnAsGiven() {
        // the sidecar reads SameSite and the origin case-insensitively and without a trailing slash
        Map<String, String> env = sidecarEnv(Map.of("CODITECT_COOKIE_SAMESITE", "none",
                "CODITECT_WEB_ORIGIN", "https://App.Example.com/"));
        assertEquals("none", env.get("CODITECT_COOKIE_SAMESITE"));
        assertEquals("https://App.Example.com/", env.get("CODITECT_WEB_ORIGIN"));
    }

    @Test
    void withoutThemTheSidecarKeepsItsOwnDefaults() {
        Map<String, String> env = sidecarEnv(Map.of());
        for (String name : WorkspacesConfig.SIDECAR_SETTINGS) {
            assertFalse(env.containsKey(name), name);
        }
    }

    @Test
    void valuesEveryWorkspacesSidecarWouldRefuseStopTheProvisionerInstead() {
        for (Map<String, String> bad : java.util.List.of(
                Map.of("CODITECT_COOKIE_SAMESITE", "none-of-these"),
                Map.of("CODITECT_COOKIE_SAMESITE", "None", "CODITECT_PUBLIC_SCHEME", "http"),
                Map.of("CODITECT_PUBLIC_SCHEME", "ftp"),
                Map.of("CODITECT_WEB_ORIGIN", "https://app.example.com/login"),
                Map.of("CODITECT_SIGN_IN_URL", "javascript:alert(1)"))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> sidecarEnv(bad), bad.toString());
            assertTrue(e.getMessage().contains(bad.keySet().iterator().next()) || e.getMessage().contains("CODITECT_"),
                    e.getMessage());
        }
    }
}
