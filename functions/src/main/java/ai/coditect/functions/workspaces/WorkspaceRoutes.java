package ai.coditect.functions.workspaces;

import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.auth.AuthService;
import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.JsonBody;
import ai.coditect.functions.http.Refusals;
import ai.coditect.functions.http.Routes;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code /v1/workspaces/*} routes of the HTTP contract, translated to and from {@link WorkspaceService}. */
final class WorkspaceRoutes {
    private static final Refusals<WorkspaceException> REFUSALS = Refusals.of(WorkspaceException.class,
            WorkspaceRoutes::problem);

    private final WorkspaceService workspaces;
    private final Authentication auth;
    private final Routes routes;

    WorkspaceRoutes(WorkspaceService workspaces, Authentication auth) {
        this.workspaces = workspaces;
        this.auth = auth;
        this.routes = Routes.builder()
                .get("/v1/workspaces/me", this::mine)
                .post("/v1/workspaces/me/start", this::start)
                .post("/v1/workspaces/me/stop", this::stop)
                .post("/v1/workspaces/activity", this::activity)
                .build();
    }

    Routes routes() {
        return routes;
    }

    private void mine(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        WorkspaceService.View view = REFUSALS.call(() -> workspaces.mine(caller.tenantId(), caller.userId()));
        call.json(200, Map.of("workspace", body(view.workspace(), view.lastActivityAt())));
    }

    private void start(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        Workspace ws = REFUSALS.call(() -> workspaces.start(caller.tenantId(), caller.userId()));
        call.json(202, Map.of("workspace", body(ws, null)));
    }

    private void stop(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        Workspace ws = REFUSALS.call(() -> workspaces.stop(caller.tenantId(), caller.userId()));
        call.json(202, Map.of("workspace", body(ws, null)));
    }

    private void activity(HttpCall call) {
        String token = call.bearerToken().orElseThrow(() -> new ApiException(401, "agent_token_invalid",
                "Send the workspace agent token: Authorization: Bearer <token>."));
        JsonBody body = call.jsonBody();
        String at = body.optionalString("lastActivityAt");
        Instant reported;
        try {
            reported = at == null ? null : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "malformed_json", "lastActivityAt must be an ISO-8601 instant.");
        }
        REFUSALS.run(() -> workspaces.recordActivity(token, reported));
        call.noContent();
    }

    static Map<String, Object> body(Workspace ws, Instant lastActivityAt) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", ws.id());
        out.put("status", ws.status().wireName());
        out.put("url", ws.url());
        out.put("createdAt", ws.createdAt());
        out.put("updatedAt", ws.updatedAt());
        out.put("lastActivityAt", lastActivityAt);
        out.put("message", ws.message());
        ProvisioningTimes t = ws.provisioning();
        if (t != null) {
            Map<String, Object> phases = new LinkedHashMap<>();
            phases.put("applyMillis", millis(ProvisioningTimes.between(t.receivedAt(), t.appliedAt())));
            phases.put("scheduleMillis", millis(ProvisioningTimes.between(t.appliedAt(), t.scheduledAt())));
            phases.put("readyMillis", millis(ProvisioningTimes.between(t.scheduledAt(), t.readyAt())));
            phases.put("totalMillis", millis(ProvisioningTimes.between(t.receivedAt(), t.readyAt())));
            out.put("provisioning", phases);
        }
        return out;
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    /** A workspace refusal as the contract's status and problem code. */
    private static ApiException problem(WorkspaceException e) {
        return switch (e.reason()) {
            case NO_WORKSPACE -> new ApiException(404, e.reason().code(), e.getMessage());
            case INVALID_TRANSITION -> new ApiException(409, e.reason().code(), e.getMessage());
            case AGENT_TOKEN_INVALID -> new ApiException(401, e.reason().code(), e.getMessage(),
                    Map.of("WWW-Authenticate", "Bearer realm=\"coditect-workspace\""));
        };
    }
}
