package ai.coditect.functions.workspaces;

import ai.coditect.functions.Platform;
import ai.coditect.functions.http.Routes;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** Cloud Function: every {@code /v1/workspaces/*} route (the caller's workspace, start, stop, activity). */
public final class WorkspacesFunction implements HttpFunction {
    private final Routes routes;

    public WorkspacesFunction() {
        this.routes = Platform.current().workspaceRoutes().routes();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
