package ai.coditect.functions.auth;

import ai.coditect.functions.Platform;
import ai.coditect.functions.http.Routes;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** Cloud Function: every {@code /v1/auth/*} route (signup, login, sessions, logout). */
public final class AuthFunction implements HttpFunction {
    private final Routes routes;

    public AuthFunction() {
        this.routes = Platform.current().authRoutes().routes();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
