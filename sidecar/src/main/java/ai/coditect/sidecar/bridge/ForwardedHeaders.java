package ai.coditect.sidecar.bridge;

import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Which headers cross the sidecar: never the hop-by-hop ones (RFC 9110 §7.6.1), never the sidecar's own
 * credentials (the {@code Authorization} header and the {@code coditect_token} cookie), everything else as is —
 * Theia's own cookies included.
 */
public final class ForwardedHeaders {
    public static final String SIDECAR_COOKIE = "coditect_token";

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private ForwardedHeaders() {
    }

    /** True for headers that belong to one connection only, including those a {@code Connection} header names. */
    public static boolean isHopByHop(String name, String connectionHeader) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (HOP_BY_HOP.contains(lower)) {
            return true;
        }
        if (connectionHeader != null) {
            for (String token : connectionHeader.split(",")) {
                if (token.trim().equalsIgnoreCase(lower)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Request headers that must not reach a backend at all. */
    public static boolean isSidecarOnly(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("authorization") || lower.equals("host") || lower.equals("content-length")
                || lower.equals("expect") || lower.startsWith("sec-websocket-") || lower.startsWith("x-forwarded-")
                || lower.equals("forwarded");
    }

    /** The {@code Cookie} header without the sidecar's own cookie, or null when nothing is left. */
    public static String withoutSidecarCookie(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        StringJoiner kept = new StringJoiner("; ");
        for (String part : cookieHeader.split(";")) {
            String trimmed = part.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith(SIDECAR_COOKIE + "=")) {
                kept.add(trimmed);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    /** The value of the sidecar's cookie in a {@code Cookie} header, or null. */
    public static String sidecarCookie(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String trimmed = part.trim();
            if (trimmed.startsWith(SIDECAR_COOKIE + "=")) {
                return trimmed.substring(SIDECAR_COOKIE.length() + 1);
            }
        }
        return null;
    }
}
