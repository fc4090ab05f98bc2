package ai.coditect.sidecar.bridge;

import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Which headers cross the sidecar: never the hop-by-hop ones (RFC 9110 §7.6.1), never the sidecar's own
 * credentials (the {@code Authorization} header and the {@code coditect_token…} cookies), everything else as is —
 * Theia's own cookies included.
 */
public final class ForwardedHeaders {
    /** Every sidecar's cookie starts so; each workspace's has its own name after it. */
    public static final String SIDECAR_COOKIE_PREFIX = "coditect_token";

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

    /**
     * The {@code Cookie} header without any sidecar's cookie, or null when nothing is left. On one host the
     * cookies of every workspace reach every workspace's port, so all of them stay here, not only this one's.
     */
    public static String withoutSidecarCookies(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        StringJoiner kept = new StringJoiner("; ");
        for (String part : cookieHeader.split(";")) {
            String trimmed = part.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith(SIDECAR_COOKIE_PREFIX)) {
                kept.add(trimmed);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    /** The value of the cookie called exactly {@code name} in a {@code Cookie} header, or null. */
    public static String cookie(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String trimmed = part.trim();
            int eq = trimmed.indexOf('=');
            if (eq > 0 && trimmed.substring(0, eq).trim().equals(name)) {
                return trimmed.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
