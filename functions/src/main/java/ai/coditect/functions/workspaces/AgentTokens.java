package ai.coditect.functions.workspaces;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Workspace agent tokens: {@code <tenantId>.<userId>.<256 random bits>}, so the platform can find the workspace
 * a token claims to belong to, then compare its SHA-256 with the one stored there, in constant time. Only the
 * hash is ever stored in FoundationDB; the token lives in the pod's Secret.
 */
public final class AgentTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AgentTokens() {
    }

    /** The workspace a token names. */
    public record Claim(String tenantId, String userId) {
    }

    public static String generate(String tenantId, String userId) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return tenantId + "." + userId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static Optional<Claim> claim(String token) {
        if (token == null || token.length() > 256) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].length() < 32) {
            return Optional.empty();
        }
        return Optional.of(new Claim(parts[0], parts[1]));
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** True when {@code token} hashes to {@code storedHash}; compares in constant time. */
    public static boolean matches(String token, String storedHash) {
        if (token == null || storedHash == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
