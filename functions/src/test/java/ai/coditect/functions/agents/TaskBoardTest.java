package ai.coditect.functions.agents;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's rules, in process: epochs fence, claims are exclusive, leases and claims end, retries back off. */
class TaskBoardTest {
    private final Registry r = new Registry();

    @AfterEach
    void close() {
        r.close();
    }

    private static AgentsException.Reason refusal(Runnable call) {
        return assertThrows(AgentsException.class, call::run).reason();
    }

    @Test
    void registeringAgainBumpsTheEpochAndFencesTheOlderRegistration() {
        Agent first = r.register("coder", "code");
        assertEquals(1, first.epoch());
        r.submit("code", 5);
        Task held = r.claim(first, "code");
        Agent again = r.registry.register(r.workspace, Registry.card("coder", "code"), first.id());
        assertEquals(first.id(), again.id());
        assertEquals(2, again.epoch());

        assertEquals(AgentsException.Reason.STALE_EPOCH, refusal(() ->
                r.board.complete(r.workspace, held.id(), first.id(), first.epoch(), null)));
        assertEquals(AgentsException.Reason.STALE_EPOCH, refusal(() ->
                r.registry.renew(r.workspace, first.id(), first.epoch())));
        Task view = r.board.get(r.user, held.id()).task();
        assertEquals(TaskState.SUBMITTED, view.state(), "the fenced registration's task is offered again");
        Task retaken = r.claim(again, "code");
        assertEquals(held.id(), retaken.id());
        assertEquals(TaskState.COMPLETED, r.board.complete(r.workspace, held.id(), again.id(), 2,
                Registry.json(Map.of("ok", true))).state());
    }

    @Test
    void aTaskIsClaimedOnceAndOnlyItsClaimerMovesItOn() {
        Agent a = r.register("a", "code");
        Agent b = r.register("b", "code");
        Task t = r.submit("code", 5);
        assertEquals(t.id(), r.claim(a, "code").id());
        assertNull(r.claim(b, "code"), "nothing left for the second claimer");
        assertEquals(AgentsException.Reason.STALE_CLAIM, refusal(() ->
                r.board.complete(r.workspace, t.id(), b.id(), b.epoch(), null)));
        r.board.complete(r.workspace, t.id(), a.id(), a.epoch(), null);
        assertEquals(AgentsException.Reason.TASK_FINISHED, refusal(() ->
                r.board.complete(r.workspace, t.id(), a.id(), a.epoch(), null)));
        List<HistoryEntry> history = r.board.get(r.user, t.id()).history();
        assertEquals(List.of(TaskState.SUBMITTED, TaskState.WORKING, TaskState.COMPLETED),
                history.stream().map(HistoryEntry::state).toList());
        assertEquals(a.id(), history.get(2).agentId());
    }

    @Test
    void higherPriorityIsClaimedFirstAndEqualPrioritiesInOrder() {
        Registry one = new Registry(new AgentPolicy(Duration.ofSeconds(30), Duration.ofSeconds(60), 3,
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(25), 1));
        try (one) {
            Agent a = one.register("a", "code", "test");
            Task low = one.submit("code", 1);
            Task first = one.submit("test", 5);
            Task second = one.submit("code", 5);
            Task urgent = one.submit("test", 9);
            List<String> order = List.of(one.claim(a, "code", "test").id(), one.claim(a, "code", "test").id(),
                    one.claim(a, "code", "test").id(), one.claim(a, "code", "test").id());
            assertEquals(List.of(urgent.id(), first.id(), second.id(), low.id()), order);
        }
    }

    @Test
    void anExpiredLeaseHidesTheAgentAndOffersItsTasksAgain() {
        Agent dying = r.register("dying", "code");
        Agent other = r.register("other", "code");
        Task t = r.submit("code", 5);
        assertEquals(t.id(), r.claim(dying, "code").id());
        r.clock.advance(Duration.ofSeconds(20));
        r.registry.renew(r.workspace, other.id(), other.epoch());
        r.clock.advance(Duration.ofSeconds(11));

        assertEquals(List.of(other.id()), r.registry.discover(r.user, "code", null, 100).stream()
                .map(Agent::id).toList(), "the expired agent is invisible before any reaping");
        assertEquals(AgentsException.Reason.LEASE_EXPIRED, refusal(() ->
                r.board.complete(r.workspace, t.id(), dying.id(), dying.epoch(), null)));
        assertEquals(1, r.agents.reapAll());
        assertEquals(AgentsException.Reason.LEASE_EXPIRED, refusal(() ->
                r.registry.renew(r.workspace, dying.id(), dying.epoch())));
        assertEquals(t.id(), r.claim(other, "code").id());
        assertEquals(AgentsException.Reason.LEASE_EXPIRED, refusal(() ->
                r.board.complete(r.workspace, t.id(), dying.id(), dying.epoch(), null)));
    }

    @Test
    void aClaimWithoutHeartbeatEndsAndTheTaskIsOfferedAgain() throws Exception {
        Agent slow = r.register("slow", "code");
        Agent other = r.register("other", "code");
        Task t = r.submit("code", 5);
        r.claim(slow, "code");
        r.clock.advance(Duration.ofSeconds(25));
        r.board.heartbeat(r.workspace, t.id(), slow.id(), slow.epoch(), null, null);
        r.registry.renew(r.workspace, slow.id(), slow.epoch());
        r.registry.renew(r.workspace, other.id(), other.epoch());
        r.clock.advance(Duration.ofSeconds(25));
        r.registry.renew(r.workspace, slow.id(), slow.epoch());
        r.registry.renew(r.workspace, other.id(), other.epoch());
        assertNull(r.claims.claim(r.workspace, other.id(), other.epoch(), List.of("code"), Duration.ZERO),
                "the heartbeat extended the claim");
        for (int seconds : new int[] {20, 16}) {
            r.clock.advance(Duration.ofSeconds(seconds));
            r.registry.renew(r.workspace, slow.id(), slow.epoch());
            r.registry.renew(r.workspace, other.id(), other.epoch());
        }
        Task retaken = r.claims.claim(r.workspace, other.id(), other.epoch(), List.of("code"), Duration.ZERO);
        assertNotNull(retaken, "the lazily reaped claim is offered again");
        assertEquals(AgentsException.Reason.STALE_CLAIM, refusal(() ->
                r.board.complete(r.workspace, t.id(), slow.id(), slow.epoch(), null)));
    }

    @Test
    void aFailedTaskIsRetriedAfterABackoffThenFails() throws Exception {
        Agent a = r.register("a", "code");
        Task t = r.submit("code", 5);
        r.claim(a, "code");
        Task retry = r.board.fail(r.workspace, t.id(), a.id(), a.epoch(), "flaky", true, false);
        assertEquals(TaskState.SUBMITTED, retry.state());
        assertEquals(r.clock.instant().plusSeconds(1), retry.notBefore());
        assertNull(r.claims.claim(r.workspace, a.id(), a.epoch(), List.of("code"), Duration.ZERO), "backing off");
        r.clock.advance(Duration.ofSeconds(1));
        assertNotNull(r.claims.claim(r.workspace, a.id(), a.epoch(), List.of("code"), Duration.ZERO));
        Task again = r.board.fail(r.workspace, t.id(), a.id(), a.epoch(), "flaky", true, false);
        assertEquals(r.clock.instant().plusSeconds(2), again.notBefore(), "the backoff doubles");
        r.clock.advance(Duration.ofSeconds(2));
        r.claims.claim(r.workspace, a.id(), a.epoch(), List.of("code"), Duration.ZERO);
        Task failed = r.board.fail(r.workspace, t.id(), a.id(), a.epoch(), "still flaky", true, false);
        assertEquals(TaskState.FAILED, failed.state());
        assertEquals(3, failed.attempts());

        Task rejected = r.submit("code", 5);
        r.claim(a, "code");
        assertEquals(TaskState.REJECTED, r.board.fail(r.workspace, rejected.id(), a.id(), a.epoch(), "not mine",
                true, true).state());
    }

    @Test
    void aHandoffGoesToAnotherSkillOrANamedAgent() {
        Agent coder = r.register("coder", "code");
        Agent tester = r.register("tester", "test");
        Agent reviewer = r.register("reviewer", "code", "review");
        Task t = r.submit("code", 5);
        r.claim(coder, "code");
        r.board.handoff(r.workspace, t.id(), coder.id(), coder.epoch(), "test", null, "tests next");
        assertNull(r.claim(coder, "code"));
        assertEquals(t.id(), r.claim(tester, "test").id());
        r.board.handoff(r.workspace, t.id(), tester.id(), tester.epoch(), null, reviewer.id(), null);
        assertNull(r.claim(coder, "code"), "handed to one agent, not to the skill");
        assertEquals(t.id(), r.claim(reviewer, "review").id(), "the inbox comes before the queues");
        assertEquals(AgentsException.Reason.AGENT_NOT_FOUND, refusal(() -> r.board.handoff(r.workspace, t.id(),
                reviewer.id(), reviewer.epoch(), null, ai.coditect.shared.ids.Ids.newId(), null)));
    }

    @Test
    void cancelStopsAQueuedOrClaimedTaskAndTheClaimerCannotCompleteIt() {
        Agent a = r.register("a", "code");
        Task queued = r.submit("code", 5);
        r.board.cancel(r.user, queued.id(), "not needed");
        assertNull(r.claim(a, "code"), "a canceled task leaves its queue");
        Task claimed = r.submit("code", 5);
        r.claim(a, "code");
        assertEquals(TaskState.CANCELED, r.board.cancel(r.user, claimed.id(), null).state());
        assertEquals(AgentsException.Reason.TASK_FINISHED, refusal(() ->
                r.board.complete(r.workspace, claimed.id(), a.id(), a.epoch(), null)));
        assertEquals(AgentsException.Reason.TASK_FINISHED, refusal(() -> r.board.cancel(r.user, claimed.id(), null)));
    }

    @Test
    void anIdempotencyKeyMakesARetriedCreateOneTask() {
        TaskBoard.NewTask ask = new TaskBoard.NewTask("code", Registry.json(Map.of("x", 1)), 5, null);
        TaskBoard.Created first = r.board.create(r.user, ask, "key-1");
        TaskBoard.Created again = r.board.create(r.user, ask, "key-1");
        assertTrue(again.replayed());
        assertEquals(first.task().id(), again.task().id());
        assertEquals(AgentsException.Reason.IDEMPOTENCY_KEY_REUSED, refusal(() -> r.board.create(r.user,
                new TaskBoard.NewTask("code", Registry.json(Map.of("x", 2)), 5, null), "key-1")));
        assertEquals(1, r.board.list(r.user, null, null, null, 100).tasks().size());
    }

    @Test
    void aListingGivesANextPageUntilItReachesTheLastTask() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(r.submit("code", 5).id());
        }
        java.util.Collections.sort(ids);
        TaskBoard.Page first = r.board.list(r.user, null, null, null, 3);
        assertEquals(ids.subList(0, 3), first.tasks().stream().map(Task::id).toList());
        assertEquals(ids.get(2), first.next());
        TaskBoard.Page last = r.board.list(r.user, null, null, first.next(), 2);
        assertEquals(ids.subList(3, 5), last.tasks().stream().map(Task::id).toList());
        assertNull(last.next(), "a full page that ends at the last task says so");
        TaskBoard.Page filtered = r.board.list(r.user, TaskState.SUBMITTED, "code", null, 5);
        assertEquals(ids, filtered.tasks().stream().map(Task::id).toList());
        assertNull(filtered.next());
    }

    @Test
    void claimingASkillTheCardDoesNotOfferIsRefused() {
        Agent a = r.register("a", "code");
        assertEquals(AgentsException.Reason.UNKNOWN_SKILL, refusal(() -> r.claim(a, "deploy")));
    }
}
