package ai.coditect.functions.workspaces;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1Secret;
import okhttp3.Call;
import okhttp3.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Workspaces on Kubernetes through the official Java client. Creation is idempotent (an object that exists is
 * kept; a pod that has terminated is replaced), so the same request applied again, or two applied at once,
 * leave one of each object, and a run interrupted between objects is completed by the next.
 */
public final class KubernetesWorkspaces implements WorkspaceBackend {
    private static final Set<String> IMAGE_PROBLEMS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError");

    private final CoreV1Api core;
    private final NetworkingV1Api networking;
    private final KubernetesObjects objects;
    private final WorkspacesConfig config;

    public KubernetesWorkspaces(ApiClient client, WorkspacesConfig config) {
        this.core = new CoreV1Api(client);
        this.networking = new NetworkingV1Api(client);
        this.objects = new KubernetesObjects(config);
        this.config = config;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @FunctionalInterface
    private interface Create {
        void run() throws ApiException;
    }

    @Override
    public Applied apply(Workspace ws, String proposedAgentToken) throws WorkspaceBackendException {
        String ns = KubernetesObjects.namespace(ws);
        String url = config.urlFor(ws);
        ensure("namespace", () -> core.createNamespace(objects.namespaceObject(ws)).execute());
        ensure("resource quota", () -> core.createNamespacedResourceQuota(ns, objects.quota(ws)).execute());
        ensure("limit range", () -> core.createNamespacedLimitRange(ns, objects.limitRange(ws)).execute());
        ensure("network policy", () -> networking.createNamespacedNetworkPolicy(ns, objects.networkPolicy(ws))
                .execute());
        ensure("volume", () -> core.createNamespacedPersistentVolumeClaim(ns, objects.volumeClaim(ws)).execute());
        String token = ensureSecret(ws, proposedAgentToken);
        ensurePod(ws, url);
        ensure("service", () -> core.createNamespacedService(ns, objects.service(ws)).execute());
        return new Applied(ns, KubernetesObjects.POD, KubernetesObjects.SERVICE, url, token);
    }

    private void ensure(String what, Create create) throws WorkspaceBackendException {
        try {
            create.run();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw failure("creating the " + what, e);
            }
        }
    }

    /** The Secret's token: ours when we created it, the existing one when an earlier run did. */
    private String ensureSecret(Workspace ws, String proposed) throws WorkspaceBackendException {
        String ns = KubernetesObjects.namespace(ws);
        try {
            core.createNamespacedSecret(ns, objects.agentSecret(ws, proposed)).execute();
            return proposed;
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw failure("creating the agent token", e);
            }
        }
        try {
            V1Secret existing = core.readNamespacedSecret(KubernetesObjects.AGENT_SECRET, ns).execute();
            byte[] token = existing.getData() == null ? null : existing.getData().get(KubernetesObjects.AGENT_TOKEN_KEY);
            if (token == null) {
                throw new WorkspaceBackendException("The workspace's agent token is damaged; it is recreated.", true,
                        null);
            }
            return new String(token, StandardCharsets.UTF_8);
        } catch (ApiException e) {
            throw failure("reading the agent token", e);
        }
    }

    private void ensurePod(Workspace ws, String url) throws WorkspaceBackendException {
        String ns = KubernetesObjects.namespace(ws);
        try {
            core.createNamespacedPod(ns, objects.pod(ws, url)).execute();
            return;
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw failure("creating the pod", e);
            }
        }
        try {
            V1Pod existing = core.readNamespacedPod(KubernetesObjects.POD, ns).execute();
            String phase = existing.getStatus() == null ? null : existing.getStatus().getPhase();
            if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
                delete(core.deleteNamespacedPod(KubernetesObjects.POD, ns).buildCall(null), "the old pod");
                ensure("pod", () -> core.createNamespacedPod(ns, objects.pod(ws, url)).execute());
            }
        } catch (ApiException e) {
            throw failure("reading the pod", e);
        }
    }

    @Override
    public PodState podState(Workspace ws) throws WorkspaceBackendException {
        V1Pod pod;
        try {
            pod = core.readNamespacedPod(KubernetesObjects.POD, KubernetesObjects.namespace(ws)).execute();
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return PodState.of(PodState.Phase.MISSING);
            }
            throw failure("reading the pod", e);
        } catch (RuntimeException e) {
            // the client validates what the API server sends; an answer it cannot read tells us nothing
            throw new WorkspaceBackendException("The pod's status could not be read.", true, e);
        }
        if (pod.getStatus() == null) {
            return PodState.of(PodState.Phase.PENDING);
        }
        if ("Failed".equals(pod.getStatus().getPhase())) {
            return new PodState(PodState.Phase.FAILED, "The workspace stopped unexpectedly"
                    + (pod.getStatus().getMessage() == null ? "." : ": " + pod.getStatus().getMessage()));
        }
        List<V1ContainerStatus> containers = pod.getStatus().getContainerStatuses();
        if (containers != null) {
            for (V1ContainerStatus c : containers) {
                if (c.getState() != null && c.getState().getWaiting() != null
                        && IMAGE_PROBLEMS.contains(c.getState().getWaiting().getReason())) {
                    return new PodState(PodState.Phase.FAILED, "The " + c.getName() + " container could not start ("
                            + c.getState().getWaiting().getReason() + "): check the image " + c.getImage() + ".");
                }
            }
        }
        if (condition(pod, "Ready")) {
            return PodState.of(PodState.Phase.READY);
        }
        return PodState.of(condition(pod, "PodScheduled") ? PodState.Phase.SCHEDULED : PodState.Phase.PENDING);
    }

    private static boolean condition(V1Pod pod, String type) {
        List<V1PodCondition> conditions = pod.getStatus().getConditions();
        return conditions != null && conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public void stop(Workspace ws) throws WorkspaceBackendException {
        String ns = KubernetesObjects.namespace(ws);
        try {
            delete(core.deleteNamespacedPod(KubernetesObjects.POD, ns).buildCall(null), "the pod");
            delete(core.deleteNamespacedService(KubernetesObjects.SERVICE, ns).buildCall(null), "the service");
        } catch (ApiException e) {
            throw failure("stopping the workspace", e);
        }
    }

    @Override
    public void delete(Workspace ws) throws WorkspaceBackendException {
        try {
            delete(core.deleteNamespace(KubernetesObjects.namespace(ws)).buildCall(null), "the namespace");
        } catch (ApiException e) {
            throw failure("deleting the workspace", e);
        }
    }

    /**
     * Runs a delete call; gone already is fine. The raw call is used because some API servers answer a delete
     * with a Status rather than the object, which the typed call cannot read.
     */
    private static void delete(Call call, String what) throws WorkspaceBackendException {
        try (Response response = call.execute()) {
            int code = response.code();
            if (code / 100 != 2 && code != 404) {
                throw failure("deleting " + what, new ApiException(code, response.message()));
            }
        } catch (IOException e) {
            throw failure("deleting " + what, new ApiException(e));
        }
    }

    /** A message the user can read, and whether a retry can help. */
    static WorkspaceBackendException failure(String doing, ApiException e) {
        int code = e.getCode();
        String body = e.getResponseBody() == null ? "" : e.getResponseBody();
        if (code == 403 && body.contains("exceeded quota")) {
            return new WorkspaceBackendException("The workspace does not fit in its resource quota (" + doing + ").",
                    false, e);
        }
        if (code == 403 || code == 401) {
            return new WorkspaceBackendException("The cluster refused the provisioner (" + doing + ": forbidden).",
                    false, e);
        }
        if (code == 422 || code == 400) {
            return new WorkspaceBackendException("The cluster rejected the workspace definition (" + doing + ").",
                    false, e);
        }
        if (code == 0) {
            return new WorkspaceBackendException("The cluster is unreachable (" + doing + "); it will be retried.",
                    true, e);
        }
        return new WorkspaceBackendException("The cluster had a problem " + doing + " (HTTP " + code
                + "); it will be retried.", true, e);
    }
}
