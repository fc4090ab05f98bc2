package ai.coditect.shared.config;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a workspace's sidecar faces the browser: the scheme browsers reach it by, the web app's origin (the only
 * other site allowed to frame it), where a refused navigation goes to sign in, and its cookie's SameSite. Read and
 * checked here for the sidecar itself and for the provisioner that hands these settings to cluster sidecars, so
 * that the provisioner refuses exactly what every workspace's sidecar would.
 */
public record BrowserSettings(String publicScheme, Optional<String> webOrigin, URI signInUrl, String cookieSameSite) {
    private static final Pattern ORIGIN = Pattern.compile(
            "https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+](:[0-9]{1,5})?");

    public BrowserSettings {
        check(publicScheme, webOrigin, cookieSameSite);
    }

    /** Refuses a scheme other than http(s), an origin with a path, an unknown SameSite, and None over http. */
    public static void check(String publicScheme, Optional<String> webOrigin, String cookieSameSite) {
        if (!publicScheme.equals("http") && !publicScheme.equals("https")) {
            throw new IllegalArgumentException("CODITECT_PUBLIC_SCHEME must be http or https; got '" + publicScheme + "'.");
        }
        if (webOrigin.isPresent() && !ORIGIN.matcher(webOrigin.get()).matches()) {
            throw new IllegalArgumentException("CODITECT_WEB_ORIGIN must be an origin like https://coditect.ai "
                    + "(scheme, host and optional port, no path); got '" + webOrigin.get() + "'.");
        }
        if (!cookieSameSite.equals("Strict") && !cookieSameSite.equals("Lax") && !cookieSameSite.equals("None")) {
            throw new IllegalArgumentException("CODITECT_COOKIE_SAMESITE must be Strict, Lax or None; got '"
                    + cookieSameSite + "'.");
        }
        if (cookieSameSite.equals("None") && !publicScheme.equals("https")) {
            throw new IllegalArgumentException("CODITECT_COOKIE_SAMESITE=None needs CODITECT_PUBLIC_SCHEME=https: "
                    + "browsers keep such cookies only when they are Secure.");
        }
    }

    /**
     * {@code CODITECT_PUBLIC_SCHEME} (default http on a loopback {@code host}, else https),
     * {@code CODITECT_WEB_ORIGIN} (default the issuer's origin; {@code none}: no other site),
     * {@code CODITECT_SIGN_IN_URL} (default the web origin, else the issuer, + {@code /}) and
     * {@code CODITECT_COOKIE_SAMESITE} (default Strict), normalized and checked.
     */
    public static BrowserSettings read(Environment env, String issuer, String host) {
        String web = env.get("CODITECT_WEB_ORIGIN", originOf(issuer)).toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        Optional<String> webOrigin = web.isEmpty() || web.equals("none") ? Optional.empty() : Optional.of(web);
        return new BrowserSettings(
                env.get("CODITECT_PUBLIC_SCHEME", isLoopback(host) ? "http" : "https").toLowerCase(Locale.ROOT),
                webOrigin,
                env.url("CODITECT_SIGN_IN_URL", webOrigin.orElse(issuer.replaceAll("/+$", "")) + "/"),
                sameSite(env.get("CODITECT_COOKIE_SAMESITE", "Strict")));
    }

    private static String originOf(String issuer) {
        try {
            URI u = URI.create(issuer);
            if ((u.getScheme().equals("http") || u.getScheme().equals("https")) && u.getHost() != null) {
                return u.getScheme() + "://" + u.getRawAuthority();
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            // not a URL: no default
        }
        return "";
    }

    private static String sameSite(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        return lower.isEmpty() ? raw : Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    /** A sidecar bound to loopback only is the local platform's, reached over plain http. */
    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }
}
