package ai.coditect.functions.auth;

import ai.coditect.functions.Platform;
import ai.coditect.functions.http.Routes;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** Cloud Function: {@code GET /.well-known/jwks.json}, the public keys that verify access tokens. */
public final class JwksFunction implements HttpFunction {
    private final Routes routes;

    public JwksFunction() {
        this.routes = Platform.current().jwksRoutes();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
