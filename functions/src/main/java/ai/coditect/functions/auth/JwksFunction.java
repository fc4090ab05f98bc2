package ai.coditect.functions.auth;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.PublicKeySource;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.Routes;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import com.nimbusds.jose.jwk.JWKSet;

import java.util.Map;
import java.util.logging.Level;

/**
 * Cloud Function: {@code GET /.well-known/jwks.json}, the public keys that verify access tokens. It is given the
 * public keys only, never the private set that signs.
 */
public final class JwksFunction implements HttpFunction {
    private final Routes routes;

    /** What the JWKS function reads: the public keys, and how much to log. */
    public record Config(PublicKeySource keys, Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(PublicKeySource.read(env, defaults),
                    CloudLogging.level(env.get("CODITECT_LOG_LEVEL", null)));
        }
    }

    /** Cloud Functions: built from this function's own environment. */
    public JwksFunction() {
        this(deployed(configuration(System.getenv())));
    }

    /** Serves {@code keys}' public parts (a private part given by mistake is never published). */
    public JwksFunction(JWKSet keys) {
        JWKSet publicKeys = keys.toPublicJWKSet();
        this.routes = Routes.builder().get("/.well-known/jwks.json", call -> jwks(call, publicKeys)).build();
    }

    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    private static JWKSet deployed(Config config) {
        CloudLogging.install(config.logLevel());
        return config.keys().load();
    }

    private static void jwks(HttpCall call, JWKSet keys) {
        call.cacheControl("public, max-age=300");
        call.json(200, keys.toJSONObject(true));
    }

    /** The route it serves, as {@code METHOD /path}. */
    public java.util.List<String> endpoints() {
        return routes.endpoints();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
