package ai.coditect.knowledge;

import ai.coditect.functions.http.Routes;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** Cloud Function: every {@code /v1/knowledge/*} route (documents, search, context, exports). */
public final class KnowledgeFunction implements HttpFunction {
    private final Routes routes;

    public KnowledgeFunction() {
        this.routes = Knowledge.current().routes().routes();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
