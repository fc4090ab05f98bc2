package ai.coditect.sidecar.bridge;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.problem.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Problem responses of the sidecar, in the platform's problem+json format. */
public final class Problems {
    private Problems() {
    }

    public static void send(ServerResponse res, int status, String code, String detail) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(Json.bytes(Problem.of(status, code, detail)));
    }
}
