package ai.coditect.functions.agents;

import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.json.Json;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.ReadTransaction;
import com.apple.foundationdb.Transaction;
import com.apple.foundationdb.tuple.ByteArrayUtil;
import com.fasterxml.jackson.databind.JsonNode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * The tasks of every tenant: created by users and agents, claimed by live agents exactly once, and moved on only by
 * their claimer — every change after a claim is a compare-and-set on the claimer's agent id and epoch, checked in
 * the same transaction as the change, so a fenced or expired agent changes nothing. Knows nothing of HTTP.
 */
final class TaskBoard {
    /** The most queue heads one claim reads. */
    private static final int MAX_SPREAD = 128;
    /** Most task records a filtered listing reads for one page. */
    static final int LIST_SCAN = 1_000;

    private final Database db;
    private final Keyspace keys;
    private final TaskStore tasks;
    private final AgentStore agents;
    private final AgentPolicy policy;
    private final Clock clock;
    private final AgentEvents events;
    private final AtomicLong claims = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger slots = new AtomicInteger(ThreadLocalRandom.current().nextInt(MAX_SPREAD));

    TaskBoard(Database db, Keyspace keys, AgentPolicy policy, Clock clock, AgentEvents events) {
        this.db = db;
        this.keys = keys;
        this.tasks = new TaskStore(keys);
        this.agents = new AgentStore(keys);
        this.policy = policy;
        this.clock = clock;
        this.events = events;
    }

    /** What a new task asks for; {@code maxAttempts} null means the policy's. */
    record NewTask(String skill, JsonNode input, int priority, Integer maxAttempts) {
    }

    /** A created task, and whether it was created earlier under the same idempotency key. */
    record Created(Task task, boolean replayed) {
    }

    /** A task with its history, oldest first. */
    record View(Task task, List<HistoryEntry> history) {
    }

    Agents.ClaimStats claimStats() {
        return new Agents.ClaimStats(claims.get(), conflicts.get());
    }

    // ---- producers ----

    Created create(Principal p, NewTask request, String idempotencyKey) {
        String tid = p.tenantId();
        int maxAttempts = request.maxAttempts() == null ? policy.maxAttempts() : request.maxAttempts();
        String fingerprint = fingerprint(request.skill(), request.input(), request.priority(), maxAttempts);
        byte[] idempotency = idempotencyKey == null ? null : keys.taskIdempotency(tid, p.name(), idempotencyKey);
        return change((tr, batch) -> {
            if (idempotency != null) {
                byte[] earlier = tr.get(idempotency).join();
                if (earlier != null) {
                    Keyspace.IdempotentTask t = Keyspace.IDEMPOTENT_TASK.decode(earlier);
                    if (!t.fingerprint().equals(fingerprint)) {
                        throw new AgentsException(AgentsException.Reason.IDEMPOTENCY_KEY_REUSED,
                                "This Idempotency-Key was used for a different task; use a new key.");
                    }
                    return new Created(tasks.read(tr, tid, t.taskId()), true);
                }
            }
            Instant now = clock.instant();
            Task task = new Task(Ids.newId(), tid, request.skill(), request.input(), request.priority(),
                    TaskState.SUBMITTED, 0, maxAttempts, null, null, null, null, p.name(), now, now, null, 0);
            tasks.write(tr, task, null, null, "submitted by " + p.name());
            tasks.enqueue(tr, task, 0);
            tr.set(keys.agentTenant(tid), Keyspace.marker());
            if (idempotency != null) {
                tr.set(idempotency,
                        Keyspace.IDEMPOTENT_TASK.encode(new Keyspace.IdempotentTask(task.id(), fingerprint)));
            }
            batch.add(EventType.TASK_SUBMITTED, tid, p.userId(), data(task, null));
            return new Created(task, false);
        });
    }

    // ---- claimers ----

    /**
     * One attempt to claim a waiting task for {@code agentId}: its inbox first, else one of the first few entries
     * of its skills' queues, so that concurrent claimers rarely pick the same. Reading the heads is a snapshot
     * read; only the picked entry is a read conflict, so a collision is a retry of this transaction and never a
     * second claim. Null when nothing waits.
     */
    Task claimOnce(Principal p, String agentId, long epoch, List<String> skills) {
        AtomicInteger runs = new AtomicInteger();
        inFlight.incrementAndGet();
        Task claimed;
        try {
            claimed = change((tr, batch) -> {
                if (runs.incrementAndGet() > 1) {
                    conflicts.incrementAndGet();
                }
                return claimIn(tr, p, agentId, epoch, skills);
            });
        } finally {
            inFlight.decrementAndGet();
        }
        if (claimed != null) {
            claims.incrementAndGet();
        }
        return claimed;
    }

    private Task claimIn(Transaction tr, Principal p, String agentId, long epoch, List<String> skills) {
        String tid = p.tenantId();
        Instant now = clock.instant();
        Agent agent = liveAgent(tr, p, agentId, epoch, now);
        List<String> offered = agent.card().skillIds();
        for (String skill : skills) {
            if (!offered.contains(skill)) {
                throw new AgentsException(AgentsException.Reason.UNKNOWN_SKILL,
                        "Skill '" + skill + "' is not on this agent's card; claim only skills it offers.");
            }
        }
        // Claimers in flight together take different heads: a round-robin slot among four times as many heads as
        // there are of them (room for the heads that others take meanwhile), so that they collide mostly when
        // fewer tasks wait than claimers try; a retry takes a new slot. Other instances of the function start
        // elsewhere in the slot cycle, at random. A claimer alone takes the head: priority order holds.
        int together = inFlight.get();
        int spread = together <= 1 ? 1 : Math.min(MAX_SPREAD, Math.max(policy.claimCandidates(), 4 * together));
        List<KeyValue> heads = heads(tr, tid, agentId, skills, spread);
        if (heads.isEmpty()) {
            return null;
        }
        KeyValue pick = heads.get(Math.floorMod(slots.getAndIncrement(), heads.size()));
        tr.addReadConflictKey(pick.getKey());
        Task task = tasks.read(tr, tid, Keyspace.TASK_ID.decode(pick.getValue()));
        if (task == null || task.state() != TaskState.SUBMITTED) {
            tr.clear(pick.getKey()); // an entry left behind; not expected, but never worth a claim
            return null;
        }
        Task.Claim claim = new Task.Claim(agentId, epoch, now, now.plus(policy.claimTimeout()));
        Task working = task.claimedBy(claim, now);
        tasks.taken(tr, task, pick.getKey());
        tasks.write(tr, working, agentId, epoch, "claimed");
        tasks.holdClaim(tr, working);
        return working;
    }

    /** The first {@code n} waiting entries for a claimer: its inbox, else its skills' queues in claim order. */
    private List<KeyValue> heads(ReadTransaction tr, String tid, String agentId, List<String> skills, int n) {
        List<KeyValue> inbox = tr.snapshot().getRange(keys.taskInbox(tid, agentId), n).asList().join();
        if (!inbox.isEmpty()) {
            return inbox;
        }
        List<CompletableFuture<List<KeyValue>>> reads = new ArrayList<>();
        for (String skill : skills) {
            reads.add(tr.snapshot().getRange(keys.taskQueue(tid, skill), n).asList());
        }
        if (skills.size() == 1) {
            return reads.get(0).join();
        }
        // Queue keys are (skill, rank, versionstamp): past each skill's prefix they sort in claim order.
        Map<KeyValue, byte[]> order = new HashMap<>();
        List<KeyValue> all = new ArrayList<>();
        for (int i = 0; i < skills.size(); i++) {
            int prefix = keys.taskQueue(tid, skills.get(i)).begin.length - 1;
            for (KeyValue kv : reads.get(i).join()) {
                order.put(kv, java.util.Arrays.copyOfRange(kv.getKey(), prefix, kv.getKey().length));
                all.add(kv);
            }
        }
        all.sort(Comparator.comparing(order::get, ByteArrayUtil::compareUnsigned));
        return all.subList(0, Math.min(n, all.size()));
    }

    /** What a long-polling claimer waits on: signal watches, and when the next lease, claim or retry comes due. */
    record Armed(List<CompletableFuture<Void>> watches, Instant nextDue) {
        void cancel() {
            watches.forEach(w -> w.cancel(true));
        }
    }

    /**
     * Sets watches on the signals of an agent's inbox and skills, in the same transaction that finds nothing to
     * claim, so that an enqueue committed after that read fires a watch. Null when something is waiting now.
     */
    Armed arm(String tid, String agentId, List<String> skills) {
        return Transactions.run(db, tr -> {
            if (!heads(tr, tid, agentId, skills, 1).isEmpty()) {
                return null;
            }
            List<byte[]> signals = new ArrayList<>();
            signals.add(keys.agentSignal(tid, agentId));
            for (String skill : skills) {
                signals.add(keys.skillSignal(tid, skill));
            }
            List<CompletableFuture<Void>> watches = new ArrayList<>();
            for (byte[] signal : signals) {
                tr.get(signal).join();
                watches.add(tr.watch(signal));
            }
            return new Armed(watches, nextDue(tr, tid));
        });
    }

    private Instant nextDue(ReadTransaction tr, String tid) {
        long far = Long.MAX_VALUE;
        long next = far;
        for (Range r : List.of(keys.agentLeasesEndingBefore(tid, far), keys.taskClaimsEndingBefore(tid, far),
                keys.taskDelayedBefore(tid, far))) {
            List<KeyValue> first = tr.snapshot().getRange(r, 1).asList().join();
            if (!first.isEmpty()) {
                next = Math.min(next, keys.timedEntry(tid, first.get(0).getKey()).millis());
            }
        }
        return next == far ? null : Instant.ofEpochMilli(next);
    }

    // ---- the claimer's changes ----

    /** Extends the claim; {@code state} moves between working and input-required (null keeps it). */
    Task heartbeat(Principal p, String taskId, String agentId, long epoch, TaskState state, String note) {
        return change((tr, batch) -> {
            Instant now = clock.instant();
            Task task = held(tr, p, taskId, agentId, epoch, now);
            TaskState next = state == null ? task.state() : state;
            Task extended = task.extended(task.claim().until(now.plus(policy.claimTimeout())), next, now);
            tasks.dropClaim(tr, task);
            tasks.holdClaim(tr, extended);
            if (extended.seq() != task.seq()) {
                tasks.write(tr, extended, agentId, epoch, note);
            } else {
                tasks.update(tr, extended);
            }
            return extended;
        });
    }

    Task complete(Principal p, String taskId, String agentId, long epoch, JsonNode output) {
        return change((tr, batch) -> {
            Instant now = clock.instant();
            Task task = held(tr, p, taskId, agentId, epoch, now);
            Task done = task.finished(TaskState.COMPLETED, output, null, task.attempts(), now);
            tasks.dropClaim(tr, task);
            tasks.write(tr, done, agentId, epoch, "completed");
            batch.add(EventType.TASK_COMPLETED, p.tenantId(), p.userId(), data(done, agentId));
            return done;
        });
    }

    /**
     * A failed attempt: offered again after a doubling backoff while attempts remain and {@code retry} holds,
     * else failed; {@code reject} says the agent will not do it at all (rejected, no retry).
     */
    Task fail(Principal p, String taskId, String agentId, long epoch, String error, boolean retry,
                     boolean reject) {
        return change((tr, batch) -> {
            Instant now = clock.instant();
            Task task = held(tr, p, taskId, agentId, epoch, now);
            int attempts = task.attempts() + 1;
            tasks.dropClaim(tr, task);
            Task next;
            if (reject) {
                next = task.finished(TaskState.REJECTED, null, error, attempts, now);
                tasks.write(tr, next, agentId, epoch, "rejected");
                batch.add(EventType.TASK_REJECTED, p.tenantId(), p.userId(), data(next, agentId));
            } else if (retry && attempts < task.maxAttempts()) {
                Instant readyAt = now.plus(policy.backoff(attempts));
                next = task.waiting(task.skill(), null, attempts, error, readyAt, now);
                tasks.write(tr, next, agentId, epoch, "attempt " + attempts + " failed; offered again at "
                        + readyAt);
                tasks.delay(tr, next);
                batch.add(EventType.TASK_REQUEUED, p.tenantId(), p.userId(), data(next, agentId));
            } else {
                next = task.finished(TaskState.FAILED, null, error, attempts, now);
                tasks.write(tr, next, agentId, epoch, "failed after " + attempts + " attempt(s)");
                batch.add(EventType.TASK_FAILED, p.tenantId(), p.userId(), data(next, agentId));
            }
            return next;
        });
    }

    /** Gives the task up to another skill's queue or to a named live agent of the tenant. */
    Task handoff(Principal p, String taskId, String agentId, long epoch, String toSkill, String toAgentId,
                        String note) {
        return change((tr, batch) -> {
            Instant now = clock.instant();
            Task task = held(tr, p, taskId, agentId, epoch, now);
            if (toAgentId != null) {
                Agent target = agents.read(tr, p.tenantId(), toAgentId);
                if (target == null || !target.liveAt(now)) {
                    throw new AgentsException(AgentsException.Reason.AGENT_NOT_FOUND,
                            "There is no live agent " + toAgentId + " to hand the task to.");
                }
            }
            String skill = toSkill != null ? toSkill : task.skill();
            Task waiting = task.waiting(skill, toAgentId, task.attempts(), null, null, now);
            tasks.dropClaim(tr, task);
            tasks.write(tr, waiting, agentId, epoch, "handed off to " + (toAgentId != null ? "agent " + toAgentId
                    : "skill " + skill) + (note == null ? "" : ": " + note));
            tasks.enqueue(tr, waiting, 0);
            Map<String, Object> data = data(waiting, agentId);
            if (toAgentId != null) {
                data.put("toAgentId", toAgentId);
            }
            batch.add(EventType.TASK_HANDED_OFF, p.tenantId(), p.userId(), data);
            return waiting;
        });
    }

    // ---- anyone of the tenant ----

    Task cancel(Principal p, String taskId, String reason) {
        return change((tr, batch) -> {
            Instant now = clock.instant();
            Task task = tasks.read(tr, p.tenantId(), taskId);
            if (task == null) {
                throw notFound(taskId);
            }
            if (task.state().terminal()) {
                throw new AgentsException(AgentsException.Reason.TASK_FINISHED,
                        "The task is already " + task.state().wireName() + ".");
            }
            if (task.state() == TaskState.SUBMITTED) {
                if (task.notBefore() != null) {
                    tasks.undelay(tr, task);
                } else {
                    tasks.dequeue(tr, task);
                }
            } else {
                tasks.dropClaim(tr, task);
            }
            Task canceled = task.finished(TaskState.CANCELED, null, reason, task.attempts(), now);
            tasks.write(tr, canceled, null, null, "canceled by " + p.name() + (reason == null ? "" : ": " + reason));
            batch.add(EventType.TASK_CANCELED, p.tenantId(), p.userId(), data(canceled, null));
            return canceled;
        });
    }

    View get(Principal p, String taskId) {
        return Transactions.read(db, tr -> {
            Task task = tasks.read(tr, p.tenantId(), taskId);
            if (task == null) {
                throw notFound(taskId);
            }
            return new View(task, tasks.history(tr, p.tenantId(), taskId));
        });
    }

    /**
     * A page of tasks and where the next one starts: null only when the listing reached the tenant's last task. A
     * filtered page can be short, even empty, and still have a next page.
     */
    record Page(List<Task> tasks, String next) {
    }

    /**
     * A page of the tenant's tasks in id order after {@code after}, optionally of one state and skill. A filter
     * reads at most {@value #LIST_SCAN} records per page, so that a request costs the same however few match;
     * where the reading stopped is the next page's start.
     */
    Page list(Principal p, TaskState state, String skill, String after, int limit) {
        boolean filtered = state != null || skill != null;
        int scan = filtered ? LIST_SCAN : limit + 1;
        return Transactions.read(db, tr -> {
            List<KeyValue> read = tr.getRange(keys.tasksOfTenant(p.tenantId(), after), scan).asList().join();
            boolean more = read.size() == scan;
            List<Task> out = new ArrayList<>();
            String last = null;
            for (int i = 0; i < read.size(); i++) {
                Task t = Task.CODEC.decode(read.get(i).getValue());
                last = t.id();
                if ((state == null || t.state() == state) && (skill == null || t.skill().equals(skill))) {
                    out.add(t);
                    if (out.size() == limit) {
                        more = more || i < read.size() - 1;
                        break;
                    }
                }
            }
            return new Page(out, more ? last : null);
        });
    }

    // ---- releasing and reaping ----

    /**
     * Offers every task that {@code agentId} holds or has in its inbox to the queues again, inside the caller's
     * transaction (the agent deregistered, registered again with a new epoch, or its lease ended).
     */
    void releaseAll(Transaction tr, String tid, String agentId, String why, AgentEvents.Batch batch) {
        List<KeyValue> held = tr.getRange(keys.tasksOfAgent(tid, agentId)).asList().join();
        List<KeyValue> inbox = tr.getRange(keys.taskInbox(tid, agentId)).asList().join();
        Instant now = clock.instant();
        int userVersion = 0;
        for (KeyValue kv : held) {
            Task task = tasks.read(tr, tid, keys.taskIdOfAgentEntry(tid, kv.getKey()));
            if (task != null && task.state().claimed() && task.claim().agentId().equals(agentId)) {
                requeue(tr, task, why, userVersion++, now, batch);
            } else {
                tr.clear(kv.getKey());
            }
        }
        for (KeyValue kv : inbox) {
            tr.clear(kv.getKey());
            Task task = tasks.read(tr, tid, Keyspace.TASK_ID.decode(kv.getValue()));
            if (task != null && task.state() == TaskState.SUBMITTED && agentId.equals(task.targetAgentId())) {
                Task waiting = task.waiting(task.skill(), null, task.attempts(), task.error(), null, now);
                tasks.write(tr, waiting, null, null, "back to skill " + task.skill() + ": " + why);
                tasks.enqueue(tr, waiting, userVersion++);
            }
        }
    }

    private void requeue(Transaction tr, Task task, String why, int userVersion, Instant now,
                         AgentEvents.Batch batch) {
        Task.Claim c = task.claim();
        Task waiting = task.waiting(task.skill(), null, task.attempts(), task.error(), null, now);
        tasks.dropClaim(tr, task);
        tasks.write(tr, waiting, c.agentId(), c.epoch(), "offered again: " + why);
        tasks.enqueue(tr, waiting, userVersion);
        batch.add(EventType.TASK_REQUEUED, task.tenantId(), null, data(waiting, c.agentId()));
    }

    /** Offers a task again whose claim ended without a heartbeat; clears the index entry either way. */
    void expireClaim(String tid, byte[] indexKey, String taskId) {
        change((tr, batch) -> {
            tr.clear(indexKey);
            Task task = tasks.read(tr, tid, taskId);
            Instant now = clock.instant();
            if (task != null && task.state().claimed() && !task.claim().expiresAt().isAfter(now)) {
                requeue(tr, task, "claim expired", 0, now, batch);
            }
            return null;
        });
    }

    /** Queues a retry whose backoff has passed. */
    void promote(String tid, byte[] indexKey, String taskId) {
        change((tr, batch) -> {
            tr.clear(indexKey);
            Task task = tasks.read(tr, tid, taskId);
            if (task != null && task.state() == TaskState.SUBMITTED && task.notBefore() != null
                    && !task.notBefore().isAfter(clock.instant())) {
                Task ready = task.ready();
                tasks.update(tr, ready);
                tasks.enqueue(tr, ready, 0);
            }
            return null;
        });
    }

    // ---- checks ----

    /** The task, if {@code agentId} at {@code epoch} holds it now and is live; else a refusal, nothing changed. */
    private Task held(Transaction tr, Principal p, String taskId, String agentId, long epoch, Instant now) {
        liveAgent(tr, p, agentId, epoch, now);
        Task task = tasks.read(tr, p.tenantId(), taskId);
        if (task == null) {
            throw notFound(taskId);
        }
        if (task.state().terminal()) {
            throw new AgentsException(AgentsException.Reason.TASK_FINISHED,
                    "The task is already " + task.state().wireName() + "; nothing was changed.");
        }
        if (!task.heldBy(agentId, epoch)) {
            throw new AgentsException(AgentsException.Reason.STALE_CLAIM,
                    "This agent (at this epoch) does not hold the task; nothing was changed.");
        }
        if (!task.claim().expiresAt().isAfter(now)) {
            throw new AgentsException(AgentsException.Reason.STALE_CLAIM,
                    "The claim ended at " + task.claim().expiresAt() + " without a heartbeat; nothing was changed.");
        }
        return task;
    }

    /** The agent {@code agentId} of the caller's workspace, registered at {@code epoch} and live. */
    Agent liveAgent(ReadTransaction tr, Principal p, String agentId, long epoch, Instant now) {
        if (!(p instanceof Principal.AgentOf caller)) {
            throw new AgentsException(AgentsException.Reason.AGENT_TOKEN_REQUIRED,
                    "Only an agent acts as an agent: authenticate with the workspace agent token.");
        }
        Agent agent = agents.read(tr, p.tenantId(), agentId);
        if (agent == null) {
            Keyspace.AgentEpoch last = agents.lastEpoch(tr, p.tenantId(), agentId);
            if (last == null || !last.workspaceId().equals(caller.workspaceId())) {
                throw AgentRegistry.agentNotFound(agentId);
            }
            throw new AgentsException(AgentsException.Reason.LEASE_EXPIRED,
                    "The agent's lease ended; register again (with its agentId) to get a new epoch.");
        }
        if (!agent.workspaceId().equals(caller.workspaceId())) {
            throw AgentRegistry.agentNotFound(agentId);
        }
        if (agent.epoch() != epoch) {
            throw new AgentsException(AgentsException.Reason.STALE_EPOCH, "Epoch " + epoch
                    + " is not the agent's current registration (" + agent.epoch() + "); nothing was changed.");
        }
        if (!agent.liveAt(now)) {
            throw new AgentsException(AgentsException.Reason.LEASE_EXPIRED,
                    "The agent's lease ended at " + agent.leaseExpiresAt() + "; register again.");
        }
        return agent;
    }

    static AgentsException notFound(String taskId) {
        return new AgentsException(AgentsException.Reason.TASK_NOT_FOUND, "There is no task " + taskId + ".");
    }

    private static Map<String, Object> data(Task task, String agentId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("taskId", task.id());
        data.put("skill", task.skill());
        data.put("state", task.state().wireName());
        data.put("attempts", task.attempts());
        if (agentId != null) {
            data.put("agentId", agentId);
        }
        return data;
    }

    private static String fingerprint(String skill, JsonNode input, int priority, int maxAttempts) {
        Map<String, Object> canonical = new LinkedHashMap<>();
        canonical.put("skill", skill);
        canonical.put("input", input);
        canonical.put("priority", priority);
        canonical.put("maxAttempts", maxAttempts);
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Json.bytes(canonical)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Runs {@code work} in FoundationDB's retry loop, its events written to the outbox in the same transaction,
     * and has them relayed once it committed.
     */
    <T> T change(BiFunction<Transaction, AgentEvents.Batch, T> work) {
        AtomicReference<AgentEvents.Batch> committed = new AtomicReference<>();
        T result = Transactions.run(db, tr -> {
            AgentEvents.Batch batch = events.batch(tr);
            committed.set(batch);
            return work.apply(tr, batch);
        });
        committed.get().publish();
        return result;
    }
}
