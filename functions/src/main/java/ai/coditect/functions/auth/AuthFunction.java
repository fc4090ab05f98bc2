package ai.coditect.functions.auth;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.EventsConfig;
import ai.coditect.functions.SigningKeySource;
import ai.coditect.functions.Store;
import ai.coditect.functions.StoreConfig;
import ai.coditect.functions.TokenConfig;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.http.Routes;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.shared.tokens.SigningKeys;
import ai.coditect.shared.tokens.TokenIssuer;
import ai.coditect.shared.tokens.TokenVerifier;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.util.Map;
import java.util.logging.Level;

/** Cloud Function: every {@code /v1/auth/*} route (signup, login, sessions, logout) and {@code DELETE /v1/account}. */
public final class AuthFunction implements HttpFunction {
    private final Routes routes;
    private final AuthService authService;

    /** What the auth function reads from its environment; see the README's configuration table. */
    public record Config(StoreConfig store, EventsConfig events, TokenConfig tokens, SigningKeySource signingKeys,
                         SessionPolicy sessions, LoginPolicy logins, SignupPolicy signups, Level logLevel) {
        public static Config read(Environment env, Defaults defaults) {
            return new Config(StoreConfig.read(env, defaults), EventsConfig.read(env, defaults),
                    TokenConfig.read(env, defaults), SigningKeySource.read(env, defaults), SessionPolicy.read(env),
                    LoginPolicy.read(env), SignupPolicy.read(env), CloudLogging.level(env.get("CODITECT_LOG_LEVEL",
                    null)));
        }
    }

    /** Cloud Functions: built from this function's own environment, once per instance. */
    public AuthFunction() {
        this(deployed(configuration(System.getenv())));
    }

    public AuthFunction(AuthRoutes routes) {
        this.routes = routes.routes();
        this.authService = routes.service();
    }

    /** The service behind the routes, for tests in this package that reach past HTTP (to hold the hashing gate). */
    AuthService authService() {
        return authService;
    }

    /** The configuration this function reads from {@code environment}, validated. */
    public static Config configuration(Map<String, String> environment) {
        return Config.read(new Environment(environment), Defaults.DEPLOYED);
    }

    /** The auth service on {@code store}, signing with {@code keys}, its events leaving through {@code outbox}. */
    public static AuthService service(Config config, Store store, Outbox outbox, SigningKeys keys,
                                      PasswordHasher hasher, Clock clock) {
        TokenIssuer issuer = new TokenIssuer(keys, config.tokens().issuer(), config.tokens().audience(), clock);
        TokenVerifier verifier = TokenVerifier.withKeys(keys.publicKeys(), config.tokens().issuer(),
                config.tokens().audience(), clock);
        return new AuthService(store.database(), store.keyspace(), clock, hasher, issuer, verifier, config.sessions(),
                config.logins(), config.signups(), outbox, new WorkspaceStore(store.keyspace()));
    }

    private static AuthRoutes deployed(Config config) {
        CloudLogging.install(config.logLevel());
        Clock clock = Clock.systemUTC();
        SigningKeys keys = config.signingKeys().load();
        Store store = Store.open(config.store());
        Outbox outbox = new Outbox(store.database(), store.keyspace(), config.events().publisher(clock),
                config.events().publishTimeout(), new PrometheusRegistry());
        AuthService auth = service(config, store, outbox, keys, new PasswordHasher(PasswordHasher.Cost.OWASP), clock);
        return new AuthRoutes(auth, clock, config.signups().forwardedHop());
    }

    /** The routes it serves, as {@code METHOD /path}. */
    public java.util.List<String> endpoints() {
        return routes.endpoints();
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) {
        routes.serve(request, response);
    }
}
