package ai.coditect.bench;

import ai.coditect.functions.agents.Agents;
import ai.coditect.functions.auth.PasswordHasher;
import ai.coditect.functions.local.LocalPlatform;
import ai.coditect.functions.workspaces.AgentTokens;
import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceStatus;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.shared.agents.AgentCard;
import ai.coditect.shared.agents.AgentClient;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.shared.store.Transactions;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

/**
 * The agent coordination registry over HTTP on the local platform (Functions Framework invoker, embedded engine on
 * disk): claims per second with 1, 10 and 100 concurrent agents (each claim followed by its completion, as agents
 * work), collisions between claimers per 1,000 claims, and the time from {@code POST /v1/tasks} to a long-polling
 * agent holding the task. Usage: {@code ./coditect bench agents [tasks per run, default 2000] [disk|memory]};
 * {@code memory} keeps the engine in memory, to tell the cost of {@code fsync} apart.
 */
public final class AgentsBenchmark {
    private AgentsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        // one access-log line per request would measure the console; warnings and errors still show
        CloudLogging.install(System.err, Level.WARNING);
        Path dir = Files.createTempDirectory("coditect-bench-agents");
        int port = ai.coditect.shared.net.FreePorts.any();
        Clock clock = Clock.systemUTC();
        boolean memory = args.length > 1 && args[1].equals("memory");
        Map<String, String> env = memory ? Map.of("CODITECT_STORE", "memory:") : Map.of();
        LocalPlatform.Options options = new LocalPlatform.Options(port, Path.of(System.getProperty(
                "coditect.invoker.jar", "functions/target/invoker/java-function-invoker.jar")),
                PasswordHasher.Cost.OWASP, Duration.ZERO);
        try (LocalPlatform local = LocalPlatform.start(env, dir, clock, options)) {
            URI base = URI.create(local.baseUrl() + "/");
            String token = workspace(local, clock);
            Agents agents = local.platform().agents();
            System.out.printf("agent registry over HTTP, local platform (invoker, embedded engine %s), %d cores, "
                    + "JDK %s, %d tasks per run%n", memory ? "in memory" : "on disk",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), tasks);
            System.out.printf("%-8s %12s %22s%n", "agents", "claims/s", "collisions/1,000 claims");
            for (int n : new int[] {1, 10, 100}) {
                throughput(base, token, agents, n, tasks);
            }
            latency(base, token, 1, 500);
            latency(base, token, 10, 500);
        }
    }

    /** A running workspace with a fresh agent token, as provisioning leaves it. */
    private static String workspace(LocalPlatform local, Clock clock) {
        String tid = Ids.newId();
        String owner = Ids.newId();
        String token = AgentTokens.generate(tid, owner);
        Instant now = clock.instant();
        Workspace ws = new Workspace(Ids.newId(), tid, owner, WorkspaceStatus.RUNNING, null, null, null, null, null,
                now, now, now, null, null, AgentTokens.hash(token));
        WorkspaceStore store = new WorkspaceStore(local.platform().keyspace());
        Transactions.run(local.platform().database(), tr -> {
            store.write(tr, ws);
            return null;
        });
        return token;
    }

    private static AgentCard card(String name, String skill) {
        return AgentCard.of(name, "http://127.0.0.1:7070/a2a", List.of(new AgentCard.Skill(skill, skill, null,
                List.of("bench"))));
    }

    private static void throughput(URI base, String token, Agents agents, int n, int tasks) throws Exception {
        String skill = "run-" + n;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(n, 8));
        try (AgentClient producer = AgentClient.connect(base, token)) {
            List<Future<?>> submits = new ArrayList<>();
            for (int p = 0; p < 8; p++) {
                int from = p;
                submits.add(pool.submit(() -> {
                    for (int i = from; i < tasks; i += 8) {
                        producer.submit(skill, Map.of("i", i), 5, null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : submits) {
                f.get();
            }
        }
        List<AgentClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AgentClient c = AgentClient.connect(base, token);
            c.register(card("bench-" + i, skill));
            clients.add(c);
        }
        AtomicInteger done = new AtomicInteger();
        Agents.ClaimStats before = agents.claimStats();
        long t0 = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (AgentClient c : clients) {
            workers.add(pool.submit(() -> {
                while (done.get() < tasks) {
                    Optional<AgentClient.ClaimedTask> t = c.claim(List.of(skill), Duration.ZERO);
                    if (t.isEmpty()) {
                        break;
                    }
                    c.complete(t.get().id(), Map.of("ok", true));
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Agents.ClaimStats after = agents.claimStats();
        long claims = after.claims() - before.claims();
        System.out.printf("%-8d %12.0f %22.1f%n", n, done.get() / seconds,
                1000.0 * (after.conflicts() - before.conflicts()) / Math.max(1, claims));
        clients.forEach(AgentClient::close);
        pool.shutdown();
    }

    /**
     * {@code waiting} agents long-poll one skill; one task at a time is posted and the time until an agent holds
     * it is taken (the agent completes it before the next is posted).
     */
    private static void latency(URI base, String token, int waiting, int rounds) throws Exception {
        String skill = "latency-" + waiting;
        SynchronousQueue<Long> received = new SynchronousQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(waiting);
        List<AgentClient> clients = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        for (int i = 0; i < waiting; i++) {
            AgentClient c = AgentClient.connect(base, token);
            c.register(card("poller-" + i, skill));
            clients.add(c);
            pool.submit(() -> {
                while (stop.getCount() > 0) {
                    Optional<AgentClient.ClaimedTask> t = c.claim(List.of(skill), Duration.ofSeconds(2));
                    if (t.isPresent()) {
                        long at = System.nanoTime();
                        c.complete(t.get().id(), Map.of());
                        received.put(at);
                    }
                }
                return null;
            });
        }
        try (AgentClient producer = AgentClient.connect(base, token)) {
            long[] nanos = new long[rounds];
            for (int i = 0; i < rounds + 50; i++) {
                long t0 = System.nanoTime();
                producer.submit(skill, Map.of("i", i), 5, null);
                long at = received.poll(30, TimeUnit.SECONDS);
                if (i >= 50) {
                    nanos[i - 50] = at - t0;
                }
            }
            Arrays.sort(nanos);
            System.out.printf("POST /v1/tasks -> long-polling agent holds it (%d waiting, %d rounds): p50 %.1f ms, "
                    + "p99 %.1f ms%n", waiting, rounds, nanos[rounds / 2] / 1e6, nanos[rounds * 99 / 100] / 1e6);
        }
        stop.countDown();
        clients.forEach(AgentClient::close);
        pool.shutdownNow();
    }
}
