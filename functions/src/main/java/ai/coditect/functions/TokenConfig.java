package ai.coditect.functions;

import ai.coditect.shared.config.Environment;

/** What access tokens say: their issuer ({@code iss}, the platform's public URL) and audience ({@code aud}). */
public record TokenConfig(String issuer, String audience) {

    /** {@code CODITECT_ISSUER} (required when deployed) and {@code CODITECT_AUDIENCE} (default {@code coditect}). */
    public static TokenConfig read(Environment env, Defaults defaults) {
        String issuer = env.get("CODITECT_ISSUER").orElse(defaults.issuer());
        if (issuer == null) {
            throw new IllegalArgumentException("Set CODITECT_ISSUER: the tokens' issuer, the platform's public URL. "
                    + "e.g. CODITECT_ISSUER=https://coditect.example.com");
        }
        env.url("CODITECT_ISSUER", issuer);
        return new TokenConfig(issuer, env.get("CODITECT_AUDIENCE", "coditect"));
    }
}
