package ai.coditect.shared.tokens;

import ai.coditect.shared.ids.Ids;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The token keys: a JWK set of RSA keys, the first of which signs while all of them verify, so keys can be
 * rotated (put a new key first, keep the old ones until the tokens they signed have expired). Production reads
 * the private set from Secret Manager (a file or an environment variable); the local platform generates one.
 */
public final class SigningKeys {
    private static final int MIN_BITS = 2048;

    private final JWKSet keys;
    private final RSAKey signing;

    private SigningKeys(JWKSet keys) {
        this.keys = keys;
        this.signing = (RSAKey) keys.getKeys().getFirst();
    }

    /** Parses a private JWK set, refusing anything but RSA keys of 2048 bits or more with distinct key ids. */
    public static SigningKeys parse(String json) {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("The signing keys are not a JWK set: " + e.getMessage());
        }
        if (set.getKeys().isEmpty()) {
            throw new IllegalArgumentException("The signing key set is empty; it needs at least one RSA key.");
        }
        Set<String> ids = new HashSet<>();
        for (JWK key : set.getKeys()) {
            if (!(key instanceof RSAKey rsa)) {
                throw new IllegalArgumentException("Signing key " + key.getKeyID() + " is not an RSA key (RS256 only).");
            }
            if (rsa.getKeyID() == null || !ids.add(rsa.getKeyID())) {
                throw new IllegalArgumentException("Every signing key needs its own key id (kid).");
            }
            if (rsa.size() < MIN_BITS) {
                throw new IllegalArgumentException("Signing key " + rsa.getKeyID() + " has " + rsa.size()
                        + " bits; at least " + MIN_BITS + " are required.");
            }
        }
        if (!set.getKeys().getFirst().isPrivate()) {
            throw new IllegalArgumentException("The first key of the set signs, so it must include its private part.");
        }
        return new SigningKeys(set);
    }

    public static SigningKeys generate() {
        return new SigningKeys(new JWKSet(newKey()));
    }

    /** A set with a new signing key first and the current keys after it, still verifying. */
    public SigningKeys rotated() {
        List<JWK> all = new ArrayList<>();
        all.add(newKey());
        all.addAll(keys.getKeys());
        return new SigningKeys(new JWKSet(all));
    }

    /** Reads the set from {@code file}, or generates one there (owner-only permissions) on first use. */
    public static SigningKeys loadOrGenerate(Path file) throws IOException {
        if (Files.exists(file)) {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        SigningKeys keys = generate();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, keys.toPrivateJson(), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        return keys;
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(MIN_BITS)
                    .keyID(Ids.newId())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("RSA key generation failed", e);
        }
    }

    public RSAKey signingKey() {
        return signing;
    }

    /** The public keys only: what {@code /.well-known/jwks.json} publishes and verifiers use. */
    public JWKSet publicKeys() {
        return keys.toPublicJWKSet();
    }

    public String toPrivateJson() {
        return keys.toString(false);
    }
}
