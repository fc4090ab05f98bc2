package ai.coditect.bench;

import ai.coditect.functions.Defaults;
import ai.coditect.functions.Store;
import ai.coditect.functions.auth.AuthFunction;
import ai.coditect.functions.events.Outbox;
import ai.coditect.shared.config.Environment;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import ai.coditect.functions.auth.AuthService;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.events.InProcessEventBus;
import ai.coditect.shared.tokens.SigningKeys;
import ai.coditect.shared.tokens.TokenVerifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;

/**
 * In-process cost of the auth path: one session validation (JWT verify + session read + atomic MAX, one
 * transaction) next to the bare RS256 verify, and one login next to one Argon2id hash.
 * Usage: {@code ./coditect bench auth [validations, default 20000]}.
 */
public final class AuthBenchmark {
    private AuthBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("coditect-bench-auth");
        Clock clock = Clock.systemUTC();
        AuthFunction.Config config = AuthFunction.Config.read(new Environment(Map.of("CODITECT_STORE", "memory:")),
                Defaults.local(dir, 8080));
        SigningKeys keys = config.signingKeys().load();
        try (Store store = Store.open(config.store());
             Outbox outbox = new Outbox(store.database(), store.keyspace(), InProcessEventBus.withDefaults(clock),
                     config.events().publishTimeout(), new PrometheusRegistry())) {
            AuthService auth = AuthFunction.service(config, store, outbox, keys,
                    new PasswordHasher(PasswordHasher.Cost.OWASP), clock);
            String token = auth.signup("bench@example.com", "correct horse battery staple", "Bench", "bench",
                    "127.0.0.1")
                    .accessToken();
            TokenVerifier verifier = TokenVerifier.withKeys(keys.publicKeys(), config.tokens().issuer(),
                    config.tokens().audience(), clock);

            double[] verify = measure(n, () -> verifier.verify(token));
            double[] validate = measure(n, () -> auth.authenticate(token));
            PasswordHasher hasher = new PasswordHasher(PasswordHasher.Cost.OWASP);
            double[] hash = measure(100, () -> hasher.hash("correct horse battery staple"));
            double[] login = measure(100, () -> auth.login("bench@example.com", "correct horse battery staple",
                    "bench", "127.0.0.1"));

            System.out.printf("auth path, in process, embedded engine in memory, %d cores, JDK %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            System.out.printf("%-44s %12s %12s%n", "operation", "median", "p99");
            row("RS256 verify (Nimbus) alone", verify);
            row("session validation (verify + read + MAX)", validate);
            row("Argon2id hash (m=19 MiB, t=2, p=1)", hash);
            row("login (throttle + hash + session + sign)", login);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Median and p99 in microseconds, after a warm-up of a fifth of the iterations. */
    private static double[] measure(int iterations, Work work) throws Exception {
        for (int i = 0; i < Math.max(10, iterations / 5); i++) {
            work.run();
        }
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            work.run();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return new double[] {nanos[iterations / 2] / 1e3, nanos[(int) Math.min(iterations - 1, iterations * 0.99)] / 1e3};
    }

    private static void row(String name, double[] micros) {
        System.out.printf("%-44s %9.1f µs %9.1f µs%n", name, micros[0], micros[1]);
    }
}
