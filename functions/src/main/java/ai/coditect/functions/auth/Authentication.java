package ai.coditect.functions.auth;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.PublicKeySource;
import ai.coditect.functions.Store;
import ai.coditect.functions.TokenConfig;
import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.Refusals;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.tokens.TokenVerifier;
import com.nimbusds.jose.jwk.JWKSet;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * The check every authenticated route makes, whichever function serves it: the bearer token must verify and its
 * session must be live (see {@link AuthService#authenticate}). Functions other than auth build it from the public
 * keys alone.
 */
public final class Authentication {
    private static final Refusals<AuthException> REFUSALS = Refusals.of(AuthException.class, AuthRoutes::problem);

    private final Function<String, AuthService.Caller> check;

    private Authentication(Function<String, AuthService.Caller> check) {
        this.check = check;
    }

    /** What a function that checks sessions reads: the tokens' issuer and audience, the public keys, the idle timeout. */
    public record Config(TokenConfig tokens, PublicKeySource keys, Duration idleTimeout) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(TokenConfig.read(env, defaults), PublicKeySource.read(env, defaults),
                    env.duration("CODITECT_SESSION_IDLE_TIMEOUT", SessionPolicy.DEFAULT.idleTimeout()));
        }
    }

    /** The check of the auth function itself, which holds the whole service. */
    public static Authentication of(AuthService auth) {
        return new Authentication(auth::authenticate);
    }

    /** The check on {@code store} with the public keys {@code keys}: for functions that verify but never sign. */
    public static Authentication verifying(Config config, JWKSet keys, Store store, Clock clock) {
        TokenVerifier verifier = TokenVerifier.withKeys(keys, config.tokens().issuer(), config.tokens().audience(),
                clock);
        return of(AuthService.verifying(store.database(), store.keyspace(), clock, verifier,
                new SessionPolicy(SessionPolicy.DEFAULT.lifetime(), config.idleTimeout())));
    }

    /** The authenticated caller of {@code call}, or a 401 problem. */
    public AuthService.Caller caller(HttpCall call) {
        String token = call.bearerToken().orElseThrow(() -> new ApiException(401, "token_invalid",
                "Send an access token: Authorization: Bearer <token>.",
                Map.of("WWW-Authenticate", "Bearer realm=\"coditect\"")));
        return REFUSALS.call(() -> check.apply(token));
    }
}
