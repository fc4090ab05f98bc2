package ai.coditect.functions.agents;

import ai.coditect.shared.ids.Ids;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 50 agents work off 5,000 tasks while some of them die mid-task (some restart with a new epoch, some never come
 * back and their lease runs out) and some stall past their lease and wake up to complete what they no longer
 * hold. Time is the test's clock, moved forward as work is done. Every task must end completed exactly once, and
 * every late completion must be refused without changing anything.
 */
class ExactlyOnceTest {
    private static final int AGENTS = 50;
    private static final int TASKS = 5_000;
    private static final int CLAIMS_PER_SECOND_OF_CLOCK = 40;

    private final Registry r = new Registry();
    private final Map<String, AtomicInteger> acceptedCompletes = new ConcurrentHashMap<>();
    private final Map<String, String> completedBy = new ConcurrentHashMap<>();
    private final AtomicInteger lateCompletes = new AtomicInteger();
    private final AtomicInteger lateAccepted = new AtomicInteger();
    private final AtomicInteger deaths = new AtomicInteger();
    private final AtomicInteger stalls = new AtomicInteger();
    private final AtomicLong claimsTaken = new AtomicLong();
    private final Set<String> refusalCodes = ConcurrentHashMap.newKeySet();

    /** A completion by an incarnation that no longer holds its task, tried once its lease has passed. */
    private record Late(String taskId, String agentId, long epoch, Instant after) {
    }

    private final List<Late> late = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void everyTaskIsCompletedExactlyOnceWhileAgentsDieAndLeasesRunOut() throws Exception {
        Map<String, Set<String>> completedEvents = new ConcurrentHashMap<>();
        r.bus.subscribe(ai.coditect.shared.events.Topic.AGENT_EVENTS, "test", (event, attempt) -> {
            if (event.type().equals("task.completed")) {
                completedEvents.computeIfAbsent(event.data().get("taskId").asText(),
                        k -> ConcurrentHashMap.newKeySet()).add(event.id());
            }
        });
        try (r) {
            for (int i = 0; i < TASKS; i++) {
                r.submit("work", ThreadLocalRandom.current().nextInt(10));
            }
            ExecutorService threads = Executors.newFixedThreadPool(AGENTS);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                int n = i;
                running.add(threads.submit(() -> {
                    agentLoop("agent-" + n);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(5, TimeUnit.MINUTES);
            }
            threads.shutdown();

            // What is still pending from incarnations that died: tried now, long after their leases.
            r.clock.advance(Duration.ofMinutes(5));
            for (Late l : late) {
                tryLate(l);
            }

            List<Task> all = new ArrayList<>();
            String after = null;
            while (true) {
                TaskBoard.Page page = r.board.list(r.user, null, null, after, 500);
                all.addAll(page.tasks());
                if (page.next() == null) {
                    break;
                }
                after = page.next();
            }
            assertEquals(TASKS, all.size());
            for (Task t : all) {
                assertEquals(TaskState.COMPLETED, t.state(), "task " + t.id());
                assertEquals(1, acceptedCompletes.get(t.id()).get(), "completed exactly once: " + t.id());
                assertEquals(completedBy.get(t.id()), t.output().get("by").asText(),
                        "the stored output is the accepted completion's");
            }
            assertTrue(deaths.get() > 10 && stalls.get() > 10, "the run must have hurt: " + deaths + " deaths, "
                    + stalls + " stalls");
            assertTrue(lateCompletes.get() > 20, "late completions were tried: " + lateCompletes);
            assertEquals(0, lateAccepted.get(), "every late completion is refused");
            // one task.completed event per task, written with the completion that was accepted and no other
            assertTrue(ai.coditect.shared.testing.Eventually.holds(Duration.ofSeconds(60),
                    () -> completedEvents.size() == TASKS), "events of " + completedEvents.size() + " tasks");
            r.outbox.relay();
            assertTrue(r.bus.awaitIdle(Duration.ofSeconds(30)));
            assertTrue(completedEvents.values().stream().allMatch(ids -> ids.size() == 1),
                    "no task has two completion events");
            Agents.ClaimStats stats = r.agents.claimStats();
            System.out.printf("exactly once: %d tasks, %d claims (%d more than tasks: offered again after deaths and "
                            + "stalls), %d collisions, %d deaths, %d stalls, %d late completions refused (%s)%n",
                    TASKS, stats.claims(), stats.claims() - TASKS, stats.conflicts(), deaths.get(), stalls.get(),
                    lateCompletes.get(), refusalCodes);
        }
    }

    /** One agent process, restarted in place when it dies; ends when every task is done. */
    private void agentLoop(String name) throws InterruptedException {
        Agent me = r.register(name, "work");
        Instant renewedAt = r.clock.instant();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (completedBy.size() < TASKS) {
            if (Duration.between(renewedAt, r.clock.instant()).toSeconds() >= 10) {
                try {
                    me = r.registry.renew(r.workspace, me.id(), me.epoch());
                } catch (AgentsException e) {
                    me = r.registry.register(r.workspace, Registry.card(name, "work"), me.id());
                }
                renewedAt = r.clock.instant();
            }
            Task task;
            try {
                task = r.claims.claim(r.workspace, me.id(), me.epoch(), List.of("work"), Duration.ZERO);
            } catch (AgentsException e) {
                // the lease ran out between renewals (time jumps here): start again with a new epoch
                refusalCodes.add(e.reason().code());
                me = r.registry.register(r.workspace, Registry.card(name, "work"), me.id());
                renewedAt = r.clock.instant();
                continue;
            }
            if (task == null) {
                tick(); // the rest is held by the dead: let time pass so that their leases and claims end
                Thread.yield();
                continue;
            }
            tick();
            int fate = random.nextInt(100);
            if (fate < 2) {
                // dies holding the task; half restart at once (new epoch), half never come back (lease runs out)
                deaths.incrementAndGet();
                late.add(new Late(task.id(), me.id(), me.epoch(), me.leaseExpiresAt()));
                if (random.nextBoolean()) {
                    me = r.registry.register(r.workspace, Registry.card(name, "work"), me.id());
                } else {
                    me = r.register(name + "-" + Ids.newId().substring(0, 4), "work");
                }
                renewedAt = r.clock.instant();
            } else if (fate < 4) {
                // stalls past its lease (a long pause), then completes what it no longer holds
                stalls.incrementAndGet();
                Instant until = me.leaseExpiresAt();
                while (r.clock.instant().isBefore(until.plusSeconds(1)) && completedBy.size() < TASKS) {
                    tick();
                    Thread.yield();
                }
                tryLate(new Late(task.id(), me.id(), me.epoch(), until));
                me = r.registry.register(r.workspace, Registry.card(name, "work"), me.id());
                renewedAt = r.clock.instant();
            } else {
                try {
                    r.board.complete(r.workspace, task.id(), me.id(), me.epoch(),
                            Registry.json(Map.of("by", me.id() + "@" + me.epoch())));
                    accepted(task.id(), me.id() + "@" + me.epoch());
                } catch (AgentsException e) {
                    // time moved past this agent's lease between its claim and completion: refused, re-register
                    refusalCodes.add(e.reason().code());
                    me = r.registry.register(r.workspace, Registry.card(name, "work"), me.id());
                    renewedAt = r.clock.instant();
                }
            }
        }
    }

    private void accepted(String taskId, String by) {
        acceptedCompletes.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet();
        completedBy.put(taskId, by);
    }

    private void tryLate(Late l) {
        lateCompletes.incrementAndGet();
        try {
            r.board.complete(r.workspace, l.taskId(), l.agentId(), l.epoch(), Registry.json(Map.of("by", "late")));
            lateAccepted.incrementAndGet();
            accepted(l.taskId(), "late");
        } catch (AgentsException e) {
            refusalCodes.add(e.reason().code());
        }
    }

    /** The clock moves a second every {@value #CLAIMS_PER_SECOND_OF_CLOCK} claims (and idle turns). */
    private void tick() {
        if (claimsTaken.incrementAndGet() % CLAIMS_PER_SECOND_OF_CLOCK == 0) {
            r.clock.advance(Duration.ofSeconds(1));
        }
    }
}
