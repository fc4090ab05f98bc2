package ai.coditect.functions;

import ai.coditect.shared.config.Environment;
import ai.coditect.shared.tokens.SigningKeys;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Optional;

/**
 * Where the public JWK set that verifies access tokens comes from: inline JSON or a file (deployed, what
 * {@code /.well-known/jwks.json} publishes), or locally the public half of the generated signing keys. A function
 * that only verifies never holds a private key.
 */
public record PublicKeySource(String json, Path file, Path signingKeysFile) {

    /** {@code CODITECT_PUBLIC_KEYS} or {@code CODITECT_PUBLIC_KEYS_FILE}; locally the generated keys' public half. */
    public static PublicKeySource read(Environment env, Defaults defaults) {
        Optional<String> json = env.get("CODITECT_PUBLIC_KEYS");
        Optional<Path> file = env.get("CODITECT_PUBLIC_KEYS_FILE").map(Path::of);
        if (json.isPresent() || file.isPresent()) {
            return new PublicKeySource(json.orElse(null), file.orElse(null), null);
        }
        if (defaults.signingKeysFile() != null) {
            return new PublicKeySource(null, null, defaults.signingKeysFile());
        }
        throw new IllegalArgumentException("Set CODITECT_PUBLIC_KEYS (the public JWK set that verifies tokens, as "
                + "/.well-known/jwks.json serves it) or CODITECT_PUBLIC_KEYS_FILE (a path to it). "
                + "e.g. CODITECT_PUBLIC_KEYS_FILE=/secrets/public-keys.json");
    }

    /** The public keys, read now; a set holding private key material is refused. */
    public JWKSet load() {
        String variable = json != null ? "CODITECT_PUBLIC_KEYS" : "CODITECT_PUBLIC_KEYS_FILE";
        try {
            if (signingKeysFile != null) {
                return SigningKeys.loadOrGenerate(signingKeysFile).publicKeys();
            }
            JWKSet set = JWKSet.parse(json != null ? json : Files.readString(file, StandardCharsets.UTF_8));
            if (set.getKeys().isEmpty()) {
                throw new IllegalArgumentException(variable + " holds no key; it must hold the public JWK set, "
                        + "e.g. the output of GET /.well-known/jwks.json.");
            }
            for (JWK key : set.getKeys()) {
                if (key.isPrivate()) {
                    throw new IllegalArgumentException(variable + " holds private key material (key "
                            + key.getKeyID() + "); give only the public set, as GET /.well-known/jwks.json serves it.");
                }
            }
            return set;
        } catch (ParseException e) {
            throw new IllegalArgumentException(variable + " is not a JWK set: " + e.getMessage()
                    + ". e.g. " + variable + "={\"keys\":[{\"kty\":\"RSA\",\"kid\":\"…\",\"n\":\"…\",\"e\":\"AQAB\"}]}", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the public keys from " + (file != null ? file
                    : signingKeysFile) + " (" + variable + ")", e);
        }
    }
}
