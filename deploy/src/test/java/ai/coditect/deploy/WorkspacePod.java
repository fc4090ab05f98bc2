package ai.coditect.deploy;

import ai.coditect.functions.workspaces.KubernetesWorkspaces;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceBackendException;
import ai.coditect.functions.workspaces.WorkspaceStatus;
import ai.coditect.functions.workspaces.WorkspacesConfig;
import ai.coditect.shared.config.Environment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The workspace pod as the provisioner makes it: {@link KubernetesWorkspaces} applies a workspace against fabric8's
 * Kubernetes API stand-in, with an environment that answers every {@code *_IMAGE} variable with a marker naming the
 * variable, and the pod it created tells which variable sets which container's image.
 */
final class WorkspacePod {
    private static final String MARKER = "probe.invalid/";
    private static Map<String, String> imageVariables;

    private WorkspacePod() {
    }

    /** The workspace images, by name (the variable CODITECT_NAME_IMAGE, lower case): the variable that sets each. */
    static synchronized Map<String, String> imageVariables() {
        if (imageVariables != null) {
            return imageVariables;
        }
        Map<String, String> byName = new TreeMap<>();
        for (String image : containerImages().values()) {
            if (!image.startsWith(MARKER) || !image.endsWith("_IMAGE")) {
                throw new AssertionError("the workspace pod runs " + image + ", which no *_IMAGE variable sets: "
                        + "a deployment could not choose it");
            }
            String variable = image.substring(MARKER.length());
            byName.put(variable.replaceFirst("^CODITECT_", "").replaceFirst("_IMAGE$", "").toLowerCase(Locale.ROOT),
                    variable);
        }
        imageVariables = Map.copyOf(byName);
        return imageVariables;
    }

    /** The image of each container of the pod the provisioner creates, by container name. */
    static Map<String, String> containerImages() {
        // every *_IMAGE read is answered with a marker naming the variable; nothing else is set
        Map<String, String> env = new AbstractMap<>() {
            @Override
            public String get(Object key) {
                return key instanceof String k && k.endsWith("_IMAGE") ? MARKER + k : null;
            }

            @Override
            public Set<Entry<String, String>> entrySet() {
                return Set.of();
            }
        };
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try {
            ApiClient client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
            client.setReadTimeout(10_000);
            WorkspacesConfig config = WorkspacesConfig.fromEnvironment(new Environment(env), "kubernetes",
                    URI.create("https://coditect.example"), Duration.ZERO);
            Instant now = Instant.parse("2026-11-29T12:00:00Z");
            Workspace ws = new Workspace("w0rkspace0id0000000000000a", "tenant0id00000000000000000a",
                    "user0id0000000000000000000a", WorkspaceStatus.REQUESTED, null, null, null, null, null, now, now,
                    null, null, null, null);
            try {
                new KubernetesWorkspaces(client, config).apply(ws, "agent-token-0123456789");
            } catch (WorkspaceBackendException e) {
                // the stand-in does not run pods; the pod object exists either way
            }
            Map<String, String> images = new TreeMap<>();
            try (KubernetesClient k = server.createClient()) {
                for (Pod pod : k.pods().inAnyNamespace().list().getItems()) {
                    for (Container c : pod.getSpec().getContainers()) {
                        images.put(c.getName(), c.getImage());
                    }
                }
            }
            if (images.isEmpty()) {
                throw new AssertionError("the provisioner created no workspace pod against the stand-in");
            }
            return images;
        } finally {
            server.destroy();
        }
    }
}
