package ai.coditect.functions;

import ai.coditect.shared.config.Environment;

import java.util.regex.Pattern;

/** Where a function's state lives: the store URL, and the environment whose FoundationDB directory holds it. */
public record StoreConfig(String environment, String url) {
    private static final Pattern ENVIRONMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    public StoreConfig {
        if (environment == null || !ENVIRONMENT.matcher(environment).matches()) {
            throw new IllegalArgumentException("CODITECT_ENV must be a name of letters, digits, '-' and '_'; got '"
                    + environment + "'. e.g. CODITECT_ENV=prod");
        }
        boolean known = url != null && (url.equals("memory:") || url.startsWith("fdb:")
                || (url.startsWith("embedded:") && url.length() > "embedded:".length()));
        if (!known) {
            throw new IllegalArgumentException("CODITECT_STORE must be fdb:[<cluster file>], embedded:<dir> or "
                    + "memory:; got '" + url + "'. e.g. CODITECT_STORE=fdb:/etc/foundationdb/fdb.cluster");
        }
    }

    /** {@code CODITECT_ENV} (default {@code local}) and {@code CODITECT_STORE} (default: {@code defaults}'). */
    public static StoreConfig read(Environment env, Defaults defaults) {
        return new StoreConfig(env.get("CODITECT_ENV", "local"), env.get("CODITECT_STORE", defaults.storeUrl()));
    }
}
