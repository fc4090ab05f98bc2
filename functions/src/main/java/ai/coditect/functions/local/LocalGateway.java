package ai.coditect.functions.local;

import ai.coditect.functions.Platform;
import ai.coditect.functions.PlatformExtension;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.Routes;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

import java.util.List;
import java.util.Map;

/**
 * The local platform's single HTTP function: dispatches each request by path to the real function that serves
 * it in production, as the load balancer in front of Cloud Functions does, and everything else to the web app, as
 * static hosting does. Local use only.
 */
public final class LocalGateway implements HttpFunction {
    /** The platform and extensions the local platform started; the invoker builds this function afterwards. */
    private static volatile Mounted mounted;

    private record Mounted(Platform platform, List<PlatformExtension> extensions) {
    }

    private final Platform platform = mounted.platform();
    private final HttpFunction auth = platform.auth();
    private final HttpFunction jwks = platform.jwks();
    private final HttpFunction workspaces = platform.workspaces();
    private final HttpFunction agents = platform.agentsFunction();
    private final List<PlatformExtension> extensions = mounted.extensions();
    private final WebApp web = WebApp.fromSystemProperty();
    private final Routes own = own(platform);

    private static Routes own(Platform platform) {
        return Routes.builder()
                .get("/healthz", LocalGateway::healthy)
                .get("/metrics", call -> metrics(call, platform))
                .get("/openapi.yaml", LocalGateway::apiDocument)
                .build();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) throws Exception {
        String path = request.getPath();
        if (path.startsWith("/v1/auth/") || path.equals("/v1/account")) {
            auth.service(request, response);
        } else if (path.startsWith("/v1/workspaces/")) {
            workspaces.service(request, response);
        } else if (path.startsWith("/v1/agents") || path.startsWith("/v1/tasks")) {
            agents.service(request, response);
        } else if (path.equals("/.well-known/jwks.json")) {
            jwks.service(request, response);
        } else if (path.equals("/openapi.yaml")) {
            own.serve(request, response); // before the web app, which answers for any file name
        } else {
            for (PlatformExtension extension : extensions) {
                if (path.startsWith(extension.pathPrefix())) {
                    extension.http().service(request, response);
                    return;
                }
            }
            if (!web.serve(request, response)) {
                own.serve(request, response);
            }
        }
    }

    /** What the gateway serves from now on; null when the local platform stops. */
    static void mount(Platform platform, List<PlatformExtension> extensions) {
        mounted = platform == null ? null : new Mounted(platform, List.copyOf(extensions));
    }

    /** The local platform's own routes as {@code METHOD /path}, for the API document's test. */
    static List<String> endpoints() {
        return own(null).endpoints();
    }

    private static void healthy(HttpCall call) {
        call.json(200, Map.of("status", "ok"));
    }

    /** Prometheus text exposition of the platform's metrics; Cloud Functions export them as log lines instead. */
    private static void metrics(HttpCall call, Platform platform) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
                .write(out, platform.metrics().scrape());
        call.text(200, io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
    }

    /** docs/openapi.yaml, which the build copies next to this class. */
    private static void apiDocument(HttpCall call) throws java.io.IOException {
        try (java.io.InputStream in = LocalGateway.class.getResourceAsStream("openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the functions jar; build with Maven");
            }
            call.text(200, "application/yaml", in.readAllBytes());
        }
    }
}
