package ai.coditect.sidecar.auth;

import ai.coditect.shared.tokens.AccessToken;

/** The verified caller of a request: its token's claims and the token itself, to ask about its session. */
public record Credentials(AccessToken token, String rawToken) {
    public String sessionId() {
        return token.sessionId();
    }

    @Override
    public String toString() {
        return "Credentials[session=" + token.sessionId() + "]"; // never the token
    }
}
