package ai.coditect.functions.workspaces;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1IPBlock;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimSpec;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretVolumeSource;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V1VolumeResourceRequirements;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one workspace, as the provisioner creates them: a namespace of its own with a quota,
 * default limits and a default-deny network policy, a volume for {@code /home/project}, the agent token's Secret,
 * the pod (Theia, CODI2, sidecar; non-root, no privilege escalation, no capabilities) and a Service to the
 * sidecar. Every object carries {@code apiVersion} and {@code kind}, and the {@code app.kubernetes.io/*} and
 * {@code coditect.ai/*} labels.
 */
final class KubernetesObjects {
    public static final String POD = "workspace";
    public static final String SERVICE = "workspace";
    public static final String VOLUME_CLAIM = "home";
    public static final String AGENT_SECRET = "agent-token";
    public static final String AGENT_TOKEN_KEY = "token";
    public static final int SIDECAR_PORT = 8080;
    public static final int MANAGEMENT_PORT = 9090;
    static final String AGENT_TOKEN_PATH = "/var/run/coditect/agent";
    private static final long USER_ID = 1000;

    private final WorkspacesConfig config;

    public KubernetesObjects(WorkspacesConfig config) {
        this.config = config;
    }

    public static String namespace(Workspace ws) {
        return "ws-" + ws.userId();
    }

    /** The labels every object of the workspace carries; the pod is selected by them. */
    public static Map<String, String> labels(Workspace ws) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "coditect-workspace");
        labels.put("app.kubernetes.io/instance", namespace(ws));
        labels.put("app.kubernetes.io/component", "workspace");
        labels.put("app.kubernetes.io/part-of", "coditect");
        labels.put("app.kubernetes.io/managed-by", "coditect-provisioner");
        labels.put("coditect.ai/tenant", ws.tenantId());
        labels.put("coditect.ai/user", ws.userId());
        return labels;
    }

    private static V1ObjectMeta meta(Workspace ws, String name) {
        return new V1ObjectMeta().name(name).namespace(namespace(ws)).labels(labels(ws));
    }

    public V1Namespace namespaceObject(Workspace ws) {
        return new V1Namespace().apiVersion("v1").kind("Namespace")
                .metadata(new V1ObjectMeta().name(namespace(ws)).labels(labels(ws)));
    }

    /** The user's share of the cluster: the pod's limits, one volume, no more than two pods (during a restart). */
    public V1ResourceQuota quota(Workspace ws) {
        Map<String, Quantity> hard = new LinkedHashMap<>();
        hard.put("requests.cpu", sum(config.theia().cpuRequest(), config.codi2().cpuRequest(), config.sidecar().cpuRequest(), 2));
        hard.put("requests.memory", sum(config.theia().memoryRequest(), config.codi2().memoryRequest(),
                config.sidecar().memoryRequest(), 2));
        hard.put("limits.cpu", sum(config.theia().cpuLimit(), config.codi2().cpuLimit(), config.sidecar().cpuLimit(), 2));
        hard.put("limits.memory", sum(config.theia().memoryLimit(), config.codi2().memoryLimit(),
                config.sidecar().memoryLimit(), 2));
        hard.put("pods", new Quantity("2"));
        hard.put("persistentvolumeclaims", new Quantity("1"));
        hard.put("requests.storage", new Quantity(config.storageSize()));
        hard.put("services.loadbalancers", new Quantity("0"));
        hard.put("services.nodeports", new Quantity("0"));
        return new V1ResourceQuota().apiVersion("v1").kind("ResourceQuota").metadata(meta(ws, "workspace-quota"))
                .spec(new V1ResourceQuotaSpec().hard(hard));
    }

    private static Quantity sum(String a, String b, String c, int times) {
        java.math.BigDecimal total = new Quantity(a).getNumber().add(new Quantity(b).getNumber())
                .add(new Quantity(c).getNumber()).multiply(java.math.BigDecimal.valueOf(times));
        return new Quantity(total, new Quantity(a).getFormat());
    }

    /** Defaults for any container that does not say, so nothing in the namespace runs unbounded. */
    public V1LimitRange limitRange(Workspace ws) {
        return new V1LimitRange().apiVersion("v1").kind("LimitRange").metadata(meta(ws, "workspace-limits"))
                .spec(new V1LimitRangeSpec().addLimitsItem(new V1LimitRangeItem().type("Container")
                        .defaultRequest(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                        ._default(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi")))
                        .max(Map.of("cpu", new Quantity(config.theia().cpuLimit()),
                                "memory", new Quantity(config.theia().memoryLimit())))));
    }

    /**
     * Deny by default: ingress only to the sidecar's port from the ingress namespace; egress to DNS and to the
     * internet, never to other workspaces, cluster services or the metadata server.
     */
    public V1NetworkPolicy networkPolicy(Workspace ws) {
        List<String> except = new ArrayList<>(config.blockedCidrs());
        except.add("169.254.169.254/32");
        return new V1NetworkPolicy().apiVersion("networking.k8s.io/v1").kind("NetworkPolicy")
                .metadata(meta(ws, "workspace-isolation"))
                .spec(new V1NetworkPolicySpec()
                        .podSelector(new V1LabelSelector())
                        .policyTypes(List.of("Ingress", "Egress"))
                        .addIngressItem(new V1NetworkPolicyIngressRule()
                                .addFromItem(new V1NetworkPolicyPeer().namespaceSelector(new V1LabelSelector()
                                        .matchLabels(Map.of("kubernetes.io/metadata.name", config.ingressNamespace()))))
                                .addPortsItem(new V1NetworkPolicyPort().protocol("TCP")
                                        .port(new IntOrString(SIDECAR_PORT))))
                        .addEgressItem(new V1NetworkPolicyEgressRule()
                                .addToItem(new V1NetworkPolicyPeer().namespaceSelector(new V1LabelSelector()
                                        .matchLabels(Map.of("kubernetes.io/metadata.name", "kube-system")))
                                        .podSelector(new V1LabelSelector().matchLabels(Map.of("k8s-app", "kube-dns"))))
                                .addPortsItem(new V1NetworkPolicyPort().protocol("UDP").port(new IntOrString(53)))
                                .addPortsItem(new V1NetworkPolicyPort().protocol("TCP").port(new IntOrString(53))))
                        .addEgressItem(new V1NetworkPolicyEgressRule()
                                .addToItem(new V1NetworkPolicyPeer().ipBlock(new V1IPBlock().cidr("0.0.0.0/0")
                                        .except(except)))));
    }

    public V1PersistentVolumeClaim volumeClaim(Workspace ws) {
        V1PersistentVolumeClaimSpec spec = new V1PersistentVolumeClaimSpec()
                .accessModes(List.of("ReadWriteOnce"))
                .resources(new V1VolumeResourceRequirements().requests(Map.of("storage",
                        new Quantity(config.storageSize()))));
        if (config.storageClass() != null) {
            spec.storageClassName(config.storageClass());
        }
        return new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim")
                .metadata(meta(ws, VOLUME_CLAIM)).spec(spec);
    }

    public V1Secret agentSecret(Workspace ws, String agentToken) {
        return new V1Secret().apiVersion("v1").kind("Secret").metadata(meta(ws, AGENT_SECRET)).type("Opaque")
                .data(Map.of(AGENT_TOKEN_KEY, agentToken.getBytes(StandardCharsets.UTF_8)));
    }

    public V1Pod pod(Workspace ws, String url) {
        V1PodSecurityContext podSecurity = new V1PodSecurityContext().runAsNonRoot(true).runAsUser(USER_ID)
                .runAsGroup(USER_ID).fsGroup(USER_ID)
                .seccompProfile(new V1SeccompProfile().type("RuntimeDefault"));
        V1VolumeMount home = new V1VolumeMount().name("home").mountPath("/home/project");
        V1Container theia = container("theia", config.theiaImage(), config.theia(), false)
                .addPortsItem(new V1ContainerPort().name("theia").containerPort(3000))
                .addVolumeMountsItem(home);
        String platform = config.platformUrl().toString().replaceAll("/+$", "");
        String agentTokenFile = AGENT_TOKEN_PATH + "/" + AGENT_TOKEN_KEY;
        V1VolumeMount agentToken = new V1VolumeMount().name("agent-token").mountPath(AGENT_TOKEN_PATH).readOnly(true);
        // CODI2 registers with the platform's agent registry and claims tasks there, with the workspace agent token
        V1Container codi2 = container("codi2", config.codi2Image(), config.codi2(), false)
                .addPortsItem(new V1ContainerPort().name("codi2").containerPort(7070))
                .env(List.of(
                        env("CODITECT_PLATFORM_URL", platform),
                        env("CODITECT_AGENT_TOKEN_FILE", agentTokenFile)))
                .addVolumeMountsItem(home)
                .addVolumeMountsItem(agentToken);
        V1Container sidecar = container("sidecar", config.sidecarImage(), config.sidecar(), true)
                .addPortsItem(new V1ContainerPort().name("public").containerPort(SIDECAR_PORT))
                .addPortsItem(new V1ContainerPort().name("management").containerPort(MANAGEMENT_PORT))
                .env(sidecarEnv(List.of(
                        env("PORT", Integer.toString(SIDECAR_PORT)),
                        env("MANAGEMENT_PORT", Integer.toString(MANAGEMENT_PORT)),
                        env("THEIA_URL", "http://127.0.0.1:3000"),
                        env("CODI2_URL", "ws://127.0.0.1:7070"),
                        env("CODITECT_OWNER_USER_ID", ws.userId()),
                        env("CODITECT_OWNER_TENANT_ID", ws.tenantId()),
                        env("CODITECT_ISSUER", platform),
                        env("CODITECT_JWKS_URL", platform + "/.well-known/jwks.json"),
                        env("CODITECT_SESSION_URL", platform + "/v1/auth/session"),
                        env("CODITECT_ACTIVITY_URL", platform + "/v1/workspaces/activity"),
                        env("CODITECT_AGENT_TOKEN_FILE", agentTokenFile),
                        env("CODITECT_ALLOWED_ORIGINS", origin(url)))))
                .addVolumeMountsItem(agentToken)
                .readinessProbe(probe("/readyz", 5, 5))
                .livenessProbe(probe("/healthz", 10, 10));
        return new V1Pod().apiVersion("v1").kind("Pod").metadata(meta(ws, POD))
                .spec(new V1PodSpec()
                        .automountServiceAccountToken(false)
                        .enableServiceLinks(false)
                        .securityContext(podSecurity)
                        .restartPolicy("Always")
                        .terminationGracePeriodSeconds(15L)
                        .containers(List.of(theia, codi2, sidecar))
                        .volumes(List.of(
                                new V1Volume().name("home").persistentVolumeClaim(
                                        new V1PersistentVolumeClaimVolumeSource().claimName(VOLUME_CLAIM)),
                                new V1Volume().name("agent-token").secret(new V1SecretVolumeSource()
                                        .secretName(AGENT_SECRET).defaultMode(0400)))));
    }

    /** The sidecar's fixed variables, then the browser-facing settings the provisioner was given (in a stable order). */
    private List<V1EnvVar> sidecarEnv(List<V1EnvVar> fixed) {
        List<V1EnvVar> out = new java.util.ArrayList<>(fixed);
        for (String name : WorkspacesConfig.SIDECAR_SETTINGS) {
            String value = config.sidecarSettings().get(name);
            if (value != null) {
                out.add(env(name, value));
            }
        }
        return out;
    }

    public V1Service service(Workspace ws) {
        return new V1Service().apiVersion("v1").kind("Service").metadata(meta(ws, SERVICE))
                .spec(new V1ServiceSpec().type("ClusterIP")
                        .selector(Map.of("app.kubernetes.io/instance", namespace(ws)))
                        .addPortsItem(new V1ServicePort().name("http").protocol("TCP").port(80)
                                .targetPort(new IntOrString("public"))));
    }

    private static V1Container container(String name, String image, WorkspacesConfig.Resources r,
                                         boolean readOnlyRoot) {
        return new V1Container().name(name).image(image).imagePullPolicy("IfNotPresent")
                .resources(new V1ResourceRequirements()
                        .requests(Map.of("cpu", new Quantity(r.cpuRequest()), "memory", new Quantity(r.memoryRequest())))
                        .limits(Map.of("cpu", new Quantity(r.cpuLimit()), "memory", new Quantity(r.memoryLimit()))))
                .securityContext(new V1SecurityContext()
                        .runAsNonRoot(true)
                        .allowPrivilegeEscalation(false)
                        .privileged(false)
                        .readOnlyRootFilesystem(readOnlyRoot)
                        .capabilities(new V1Capabilities().drop(List.of("ALL"))));
    }

    private static V1Probe probe(String path, int initialDelay, int period) {
        return new V1Probe().httpGet(new V1HTTPGetAction().path(path).port(new IntOrString("management")))
                .initialDelaySeconds(initialDelay).periodSeconds(period).timeoutSeconds(2).failureThreshold(3);
    }

    private static V1EnvVar env(String name, String value) {
        return new V1EnvVar().name(name).value(value);
    }

    private static String origin(String url) {
        java.net.URI u = java.net.URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }
}
