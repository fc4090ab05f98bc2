package ai.coditect.functions;

import ai.coditect.shared.config.Environment;
import ai.coditect.shared.tokens.SigningKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the private JWK set comes from: inline JSON (from Secret Manager), a file, or a file the local platform
 * generates. Only a function that signs tokens reads it; the others verify with {@link PublicKeySource}.
 */
public record SigningKeySource(String json, Path file, boolean generateIfMissing) {

    /** {@code CODITECT_SIGNING_KEYS} or {@code CODITECT_SIGNING_KEYS_FILE}; locally a generated file. */
    public static SigningKeySource read(Environment env, Defaults defaults) {
        Optional<String> json = env.get("CODITECT_SIGNING_KEYS");
        Optional<Path> file = env.get("CODITECT_SIGNING_KEYS_FILE").map(Path::of);
        if (json.isPresent() || file.isPresent()) {
            return new SigningKeySource(json.orElse(null), file.orElse(null), false);
        }
        if (defaults.signingKeysFile() != null) {
            return new SigningKeySource(null, defaults.signingKeysFile(), true);
        }
        throw new IllegalArgumentException("Set CODITECT_SIGNING_KEYS (the private JWK set, e.g. from Secret Manager) "
                + "or CODITECT_SIGNING_KEYS_FILE (a path to it). e.g. CODITECT_SIGNING_KEYS_FILE=/secrets/signing-keys.json");
    }

    /** The keys, read (or generated) now: a function that signs fails at start, not at its first login. */
    public SigningKeys load() {
        try {
            if (json != null) {
                return SigningKeys.parse(json);
            }
            if (generateIfMissing) {
                return SigningKeys.loadOrGenerate(file);
            }
            return SigningKeys.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the signing keys from " + file
                    + " (CODITECT_SIGNING_KEYS_FILE)", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((json != null ? "CODITECT_SIGNING_KEYS" : "CODITECT_SIGNING_KEYS_FILE")
                    + " does not hold a usable private JWK set: " + e.getMessage(), e);
        }
    }
}
