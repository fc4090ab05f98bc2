package ai.coditect.shared.tokens;

import java.time.Instant;

/** The verified claims of an access token: whose it is ({@code sub}, {@code tid}) and which session ({@code sid}). */
public record AccessToken(String userId, String tenantId, String sessionId, String tokenId, Instant issuedAt,
                          Instant expiresAt) {
}
