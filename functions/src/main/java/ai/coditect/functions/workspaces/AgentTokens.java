package ai.coditect.functions.workspaces;

import ai.coditect.shared.ids.Ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Workspace agent tokens: {@code <tenantId>.<userId>.<256 random bits>}, so the platform can find the workspace
 * a token claims to belong to, then compare its SHA-256 with the one stored there, in constant time. Only the
 * hash is ever stored in FoundationDB; the token lives in the pod's Secret.
 */
public final class AgentTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 32 random bytes in unpadded base64url. */
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");

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

    /**
     * The workspace {@code token} names, when its ids are ids this platform could have made (checked before they
     * go into a key, as session ids are) and its secret has the length of one; otherwise empty.
     */
    public static Optional<Claim> claim(String token) {
        if (token == null || token.length() > 256) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !Ids.isWellFormed(parts[0]) || !Ids.isWellFormed(parts[1])
                || !SECRET.matcher(parts[2]).matches()) {
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
