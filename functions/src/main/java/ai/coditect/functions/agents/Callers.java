package ai.coditect.functions.agents;

import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.auth.AuthService;
import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.workspaces.AgentTokens;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;

import java.util.Map;
import java.util.Optional;

/**
 * Tells agents from users: a bearer token shaped like a workspace agent token ({@code <tenant id>.<user id>.<secret>},
 * both ids well-formed, which no JWT is) must hash to the one stored on that workspace; anything else is checked as
 * a user's access token, session included.
 */
final class Callers {
    private final Database db;
    private final WorkspaceStore workspaces;
    private final Authentication auth;

    Callers(Database db, WorkspaceStore workspaces, Authentication auth) {
        this.db = db;
        this.workspaces = workspaces;
        this.auth = auth;
    }

    Principal of(HttpCall call) {
        Optional<AgentTokens.Claim> claim = call.bearerToken().flatMap(AgentTokens::claim)
                .filter(c -> Ids.isWellFormed(c.tenantId()) && Ids.isWellFormed(c.userId()));
        if (claim.isEmpty()) {
            AuthService.Caller user = auth.caller(call);
            return new Principal.User(user.tenantId(), user.userId());
        }
        String token = call.bearerToken().orElseThrow();
        AgentTokens.Claim c = claim.get();
        Workspace ws = Transactions.read(db, tr -> workspaces.read(tr, c.tenantId(), c.userId()).join());
        if (ws == null || !AgentTokens.matches(token, ws.agentTokenHash())) {
            throw new ApiException(401, "agent_token_invalid", "The workspace agent token is not valid.",
                    Map.of("WWW-Authenticate", "Bearer realm=\"coditect-workspace\""));
        }
        return new Principal.AgentOf(c.tenantId(), c.userId(), ws.id());
    }
}
