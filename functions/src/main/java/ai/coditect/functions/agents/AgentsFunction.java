package ai.coditect.functions.agents;

import ai.coditect.functions.Platform;
import ai.coditect.functions.http.Routes;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** Cloud Function: every {@code /v1/agents…} and {@code /v1/tasks…} route (the agent coordination registry). */
public final class AgentsFunction implements HttpFunction {
    private final Routes routes;

    public AgentsFunction() {
        this.routes = Platform.current().agents().routes();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
