package ai.coditect.shared.store;

import ai.coditect.shared.events.Event;
import com.apple.foundationdb.Range;
import com.apple.foundationdb.TransactionContext;
import com.apple.foundationdb.directory.DirectoryLayer;
import com.apple.foundationdb.directory.DirectorySubspace;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.ByteArrayUtil;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The key layout of Coditect in FoundationDB. Every key is built here and nowhere else, and every value is written
 * and read by the codec named here for its subspace. All subspaces live under the directory
 * {@code coditect/<environment>}; every tenant-owned key lives under {@code tenant/<tid>}.
 *
 * <table>
 *   <caption>Subspaces, and the codec of their values</caption>
 *   <tr><th>subspace</th><th>key</th><th>value</th><th>codec</th></tr>
 *   <tr><td>{@code users_by_email}</td><td>(email)</td><td>(tenantId, userId)</td><td>{@link #EMAIL_OWNER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/user}</td><td>(userId)</td><td>user record</td><td>JSON {@code User}</td></tr>
 *   <tr><td>{@code tenant/<tid>/session}</td><td>(sessionId)</td><td>session record</td><td>JSON
 *       {@code Session}</td></tr>
 *   <tr><td>{@code tenant/<tid>/session_by_user}</td><td>(userId, sessionId)</td><td>empty</td><td>{@link #MARKER}
 *       </td></tr>
 *   <tr><td>{@code tenant/<tid>/session_last_access}</td><td>(sessionId)</td><td>8-byte little-endian epoch
 *       millis, written with atomic {@code MAX} (no read, no conflict)</td><td>{@link #MILLIS}</td></tr>
 *   <tr><td>{@code session_expiry}</td><td>(expiresAtMillis, tid, sessionId)</td><td>empty — cleanup scans a
 *       prefix of this</td><td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code login_failures}</td><td>(email)</td><td>failure window</td><td>{@link #ATTEMPT_WINDOW}</td></tr>
 *   <tr><td>{@code signup_attempts}</td><td>(client address)</td><td>attempt window</td><td>{@link #ATTEMPT_WINDOW}
 *       </td></tr>
 *   <tr><td>{@code login_failures_by_address}</td><td>(email, client address)</td><td>failure window</td>
 *       <td>{@link #ATTEMPT_WINDOW}</td></tr>
 *   <tr><td>{@code login_failures_of_address}</td><td>(client address)</td><td>failure window</td>
 *       <td>{@link #ATTEMPT_WINDOW}</td></tr>
 *   <tr><td>{@code outbox}</td><td>(versionstamp)</td><td>event envelope, written in the same transaction as the
 *       state change; relayed, then cleared</td><td>{@link #EVENT}</td></tr>
 *   <tr><td>{@code tenant/<tid>/workspace}</td><td>(userId)</td><td>workspace record</td><td>JSON
 *       {@code Workspace}</td></tr>
 *   <tr><td>{@code workspace_activity}</td><td>(tid, userId)</td><td>8-byte LE epoch millis, atomic
 *       {@code MAX}</td><td>{@link #MILLIS}</td></tr>
 *   <tr><td>{@code running_workspaces}</td><td>(tid, userId)</td><td>empty — cleanup's idle scan</td>
 *       <td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code processed_events}</td><td>(eventId)</td><td>expiry — idempotency of consumers</td>
 *       <td>{@link #MILLIS}</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/record}</td><td>(agentId)</td><td>agent record (card, epoch, lease)</td>
 *       <td>JSON {@code Agent}</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/epoch}</td><td>(agentId)</td><td>(last epoch, workspaceId) — kept after the
 *       record goes, so a re-registration always fences every earlier one</td><td>{@link #AGENT_EPOCH}</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/by_skill}</td><td>(skillId, agentId)</td><td>empty — discovery</td>
 *       <td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/lease_expiry}</td><td>(expiresAtMillis, agentId)</td><td>empty — reaping
 *       scans a prefix</td><td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code agent_tenants}</td><td>(tid)</td><td>empty — the tenants cleanup visits for reaping</td>
 *       <td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/record}</td><td>(taskId)</td><td>task record</td><td>JSON {@code Task}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/history}</td><td>(taskId, seq)</td><td>one state change</td><td>JSON
 *       {@code HistoryEntry}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/queue}</td><td>(skillId, rank, versionstamp)</td><td>taskId — rank 0 is
 *       the highest priority; producers never conflict</td><td>{@link #TASK_ID}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/inbox}</td><td>(agentId, versionstamp)</td><td>taskId — handed to one
 *       agent</td><td>{@link #TASK_ID}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/queued}</td><td>(taskId)</td><td>its queue or inbox key (versionstamped
 *       value)</td><td>{@link #QUEUE_POSITION}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/by_agent}</td><td>(agentId, taskId)</td><td>empty — the claims of an
 *       agent</td><td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/claim_expiry}</td><td>(expiresAtMillis, taskId)</td><td>empty</td>
 *       <td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/delayed}</td><td>(readyAtMillis, taskId)</td><td>empty — retries waiting
 *       out their backoff</td><td>{@link #MARKER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/signal}</td><td>("skill", skillId) or ("agent", agentId)</td><td>counter,
 *       atomic {@code ADD} on every enqueue; long-polling claimers watch it</td><td>{@link #COUNTER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/idempotency}</td><td>(principal, Idempotency-Key)</td><td>(taskId,
 *       request fingerprint)</td><td>{@link #IDEMPOTENT_TASK}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/doc}</td><td>(documentId)</td><td>knowledge document record</td><td>JSON
 *       {@code KnowledgeDocument}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/doc_by_path}</td><td>(collection, path)</td><td>documentId</td>
 *       <td>{@link #DOCUMENT_ID}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/raw}</td><td>(documentId, part)</td><td>the submitted text, in parts of at
 *       most 90,000 bytes</td><td>{@link #RAW_TEXT}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/chunk}</td><td>(documentId, chunkNo)</td><td>chunk record: text, offsets,
 *       heading path, content hash</td><td>JSON {@code StoredChunk}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/vector}</td><td>(documentId, chunkNo)</td><td>4-byte LE float scale, then
 *       one signed byte per dimension</td><td>{@link #VECTOR}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/posting}</td><td>(term, documentId, chunkNo)</td><td>(term frequency, chunk
 *       length)</td><td>{@link #POSTING}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/term_df}</td><td>(term)</td><td>8-byte LE count of chunks holding the term,
 *       atomic {@code ADD}</td><td>{@link #COUNTER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/stats}</td><td>(name)</td><td>8-byte LE counters {@code chunks},
 *       {@code tokens}, atomic {@code ADD}</td><td>{@link #COUNTER}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/log}</td><td>(versionstamp)</td><td>a changed or removed chunk
 *       (documentId, chunkNo, writtenAtMillis) — the in-memory indexes follow this; trimmed by age</td>
 *       <td>{@link #LOG_ENTRY}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/log_trimmed}</td><td>()</td><td>the newest change-log key removed by
 *       trimming; an in-memory index behind it reloads</td><td>{@link #LOG_POSITION}</td></tr>
 * </table>
 *
 * <p>Every subspace is a {@link Part}; {@link #locate} tells which part a stored key belongs to. A "JSON" codec is
 * the record type's one codec, made by {@link #record}: the one mapper, a JSON object, nothing guessed.
 */
public final class Keyspace {
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Subspace usersByEmail;
    private final Subspace tenants;
    private final Subspace sessionExpiry;
    private final Subspace loginFailures;
    private final Subspace signupAttempts;
    private final Subspace workspaceActivity;
    private final Subspace runningWorkspaces;
    private final Subspace processedEvents;
    private final Subspace agentTenants;
    private final Subspace loginFailuresByAddress;
    private final Subspace loginFailuresOfAddress;
    private final Subspace outbox;
    private final Subspace root;

    private Keyspace(Subspace root) {
        this.root = root;
        this.usersByEmail = root.get("users_by_email");
        this.tenants = root.get("tenant");
        this.sessionExpiry = root.get("session_expiry");
        this.loginFailures = root.get("login_failures");
        this.signupAttempts = root.get("signup_attempts");
        this.workspaceActivity = root.get("workspace_activity");
        this.runningWorkspaces = root.get("running_workspaces");
        this.processedEvents = root.get("processed_events");
        this.agentTenants = root.get("agent_tenants");
        this.loginFailuresByAddress = root.get("login_failures_by_address");
        this.loginFailuresOfAddress = root.get("login_failures_of_address");
        this.outbox = root.get("outbox");
    }

    /** Opens (creating on first use) the directory {@code coditect/<environment>} and lays the keyspace out in it. */
    public static Keyspace open(TransactionContext db, String environment) {
        if (environment == null || !ENVIRONMENT.matcher(environment).matches()) {
            throw new IllegalArgumentException("The environment name must be lower-case letters, digits and dashes, "
                    + "e.g. 'local' or 'prod'; got '" + environment + "'.");
        }
        DirectorySubspace root = DirectoryLayer.getDefault()
                .createOrOpen(db, List.of("coditect", environment)).join();
        return new Keyspace(root);
    }

    // ---- users ----

    public byte[] userByEmail(String email) {
        return usersByEmail.pack(Tuple.from(email));
    }

    public byte[] user(String tenantId, String userId) {
        return inTenant(tenantId, "user", userId);
    }

    // ---- sessions ----

    public byte[] session(String tenantId, String sessionId) {
        return inTenant(tenantId, "session", sessionId);
    }

    public byte[] sessionByUser(String tenantId, String userId, String sessionId) {
        return inTenant(tenantId, "session_by_user", userId, sessionId);
    }

    /** Every {@link #sessionByUser} key of one user. */
    public Range sessionsOfUser(String tenantId, String userId) {
        return tenant(tenantId).get("session_by_user").get(userId).range();
    }

    /** The {@link #sessionByUser} keys of one user after the session {@code afterSessionId} (null: all of them). */
    public Range sessionsOfUser(String tenantId, String userId, String afterSessionId) {
        Range all = sessionsOfUser(tenantId, userId);
        return afterSessionId == null ? all
                : new Range(keyAfter(sessionByUser(tenantId, userId, afterSessionId)), all.end);
    }

    /** The session id of a {@link #sessionByUser} key. */
    public String sessionIdOfSessionByUser(String tenantId, byte[] key) {
        return tenant(tenantId).get("session_by_user").unpack(key).getString(1);
    }

    public byte[] sessionLastAccess(String tenantId, String sessionId) {
        return inTenant(tenantId, "session_last_access", sessionId);
    }

    public byte[] sessionExpiry(long expiresAtMillis, String tenantId, String sessionId) {
        return sessionExpiry.pack(Tuple.from(expiresAtMillis, tenantId, sessionId));
    }

    /** The {@link #sessionExpiry} keys of sessions that expire before {@code millis}. */
    public Range sessionExpiryBefore(long millis) {
        return new Range(sessionExpiry.range().begin, sessionExpiry.pack(Tuple.from(millis)));
    }

    public ExpiryEntry sessionExpiryEntry(byte[] key) {
        Tuple t = sessionExpiry.unpack(key);
        return new ExpiryEntry(t.getLong(0), t.getString(1), t.getString(2));
    }

    /** One entry of the {@code session_expiry} index. */
    public record ExpiryEntry(long expiresAtMillis, String tenantId, String sessionId) {
    }

    // ---- login failures ----

    public byte[] loginFailures(String email) {
        return loginFailures.pack(Tuple.from(email));
    }

    /** Every {@link #loginFailures} key, for cleanup. */
    public Range allLoginFailures() {
        return loginFailures.range();
    }

    /** Failed logins for one email from one client address. */
    public byte[] loginFailures(String email, String clientAddress) {
        return loginFailuresByAddress.pack(Tuple.from(email, clientAddress));
    }

    /** Every {@link #loginFailures(String, String)} key, for cleanup. */
    public Range allLoginFailuresByAddress() {
        return loginFailuresByAddress.range();
    }

    /** Failed logins from one client address, whatever the email. */
    public byte[] loginFailuresOfAddress(String clientAddress) {
        return loginFailuresOfAddress.pack(Tuple.from(clientAddress));
    }

    /** Every {@link #loginFailuresOfAddress} key, for cleanup. */
    public Range allLoginFailuresOfAddresses() {
        return loginFailuresOfAddress.range();
    }

    // ---- signup attempts ----

    public byte[] signupAttempts(String clientAddress) {
        return signupAttempts.pack(Tuple.from(clientAddress));
    }

    /** Every {@link #signupAttempts} key, for cleanup. */
    public Range allSignupAttempts() {
        return signupAttempts.range();
    }

    // ---- workspaces ----

    public byte[] workspace(String tenantId, String userId) {
        return inTenant(tenantId, "workspace", userId);
    }

    public byte[] workspaceActivity(String tenantId, String userId) {
        return workspaceActivity.pack(Tuple.from(tenantId, userId));
    }

    public byte[] runningWorkspace(String tenantId, String userId) {
        return runningWorkspaces.pack(Tuple.from(tenantId, userId));
    }

    public Range runningWorkspaces() {
        return runningWorkspaces.range();
    }

    /** The (tenantId, userId) of a {@link #runningWorkspace} key. */
    public Owner runningWorkspaceOwner(byte[] key) {
        Tuple t = runningWorkspaces.unpack(key);
        return new Owner(t.getString(0), t.getString(1));
    }

    /** The tenant and user a workspace belongs to. */
    public record Owner(String tenantId, String userId) {
    }

    // ---- events ----

    /**
     * The {@code SET_VERSIONSTAMPED_KEY} parameter of a new outbox entry: the commit fills in its versionstamp, so
     * entries sort in commit order and writers never conflict. {@code userVersion} tells apart the entries of one
     * transaction.
     */
    public VersionstampedKey outboxEntry(int userVersion) {
        return new VersionstampedKey(VersionstampKeys.pack(outbox, Tuple.from(Versionstamp.incomplete(userVersion))));
    }

    /** Every outbox entry, oldest first. */
    public Range outbox() {
        return outbox.range();
    }

    public byte[] processedEvent(String eventId) {
        return processedEvents.pack(Tuple.from(eventId));
    }

    public Range processedEvents() {
        return processedEvents.range();
    }

    // ---- agents ----

    public byte[] agent(String tenantId, String agentId) {
        return agents(tenantId).get("record").pack(Tuple.from(agentId));
    }

    /** Every {@link #agent} record of a tenant. */
    public Range agentsOfTenant(String tenantId) {
        return agents(tenantId).get("record").range();
    }

    public byte[] agentEpoch(String tenantId, String agentId) {
        return agents(tenantId).get("epoch").pack(Tuple.from(agentId));
    }

    public byte[] agentBySkill(String tenantId, String skillId, String agentId) {
        return agents(tenantId).get("by_skill").pack(Tuple.from(skillId, agentId));
    }

    public Range agentsWithSkill(String tenantId, String skillId) {
        return agents(tenantId).get("by_skill").get(skillId).range();
    }

    /** The agent id of an {@link #agentBySkill} key. */
    public String agentIdOfSkillEntry(String tenantId, byte[] key) {
        return agents(tenantId).get("by_skill").unpack(key).getString(1);
    }

    public byte[] agentLeaseExpiry(String tenantId, long expiresAtMillis, String agentId) {
        return agents(tenantId).get("lease_expiry").pack(Tuple.from(expiresAtMillis, agentId));
    }

    /** The {@link #agentLeaseExpiry} keys of leases that end before {@code millis}. */
    public Range agentLeasesEndingBefore(String tenantId, long millis) {
        Subspace s = agents(tenantId).get("lease_expiry");
        return new Range(s.range().begin, s.pack(Tuple.from(millis)));
    }

    public byte[] agentTenant(String tenantId) {
        return agentTenants.pack(Tuple.from(tenantId));
    }

    public Range agentTenants() {
        return agentTenants.range();
    }

    public String tenantOfAgentTenant(byte[] key) {
        return agentTenants.unpack(key).getString(0);
    }

    // ---- tasks ----

    public byte[] task(String tenantId, String taskId) {
        return tasks(tenantId).get("record").pack(Tuple.from(taskId));
    }

    /** Every {@link #task} record of a tenant, from just after {@code afterTaskId} when it is not null. */
    public Range tasksOfTenant(String tenantId, String afterTaskId) {
        Subspace s = tasks(tenantId).get("record");
        return afterTaskId == null ? s.range()
                : new Range(keyAfter(s.pack(Tuple.from(afterTaskId))), s.range().end);
    }

    public byte[] taskHistory(String tenantId, String taskId, long seq) {
        return tasks(tenantId).get("history").pack(Tuple.from(taskId, seq));
    }

    public Range taskHistory(String tenantId, String taskId) {
        return tasks(tenantId).get("history").get(taskId).range();
    }

    /** A queue key for a task of {@code skillId} at {@code rank}, its versionstamp filled in at commit. */
    public VersionstampedKey taskQueueEntry(String tenantId, String skillId, int rank, int userVersion) {
        return new VersionstampedKey(VersionstampKeys.pack(tasks(tenantId).get("queue"),
                Tuple.from(skillId, (long) rank, Versionstamp.incomplete(userVersion))));
    }

    /** The queue of one skill, highest priority and oldest first. */
    public Range taskQueue(String tenantId, String skillId) {
        return tasks(tenantId).get("queue").get(skillId).range();
    }

    /** An inbox key of a task handed to one agent, its versionstamp filled in at commit. */
    public VersionstampedKey taskInboxEntry(String tenantId, String agentId, int userVersion) {
        return new VersionstampedKey(VersionstampKeys.pack(tasks(tenantId).get("inbox"),
                Tuple.from(agentId, Versionstamp.incomplete(userVersion))));
    }

    public Range taskInbox(String tenantId, String agentId) {
        return tasks(tenantId).get("inbox").get(agentId).range();
    }

    /** Where a waiting task sits: its value is the task's {@link #taskQueueEntry} or {@link #taskInboxEntry} key. */
    public byte[] taskQueued(String tenantId, String taskId) {
        return tasks(tenantId).get("queued").pack(Tuple.from(taskId));
    }

    public byte[] taskOfAgent(String tenantId, String agentId, String taskId) {
        return tasks(tenantId).get("by_agent").pack(Tuple.from(agentId, taskId));
    }

    public Range tasksOfAgent(String tenantId, String agentId) {
        return tasks(tenantId).get("by_agent").get(agentId).range();
    }

    public String taskIdOfAgentEntry(String tenantId, byte[] key) {
        return tasks(tenantId).get("by_agent").unpack(key).getString(1);
    }

    public byte[] taskClaimExpiry(String tenantId, long expiresAtMillis, String taskId) {
        return tasks(tenantId).get("claim_expiry").pack(Tuple.from(expiresAtMillis, taskId));
    }

    public Range taskClaimsEndingBefore(String tenantId, long millis) {
        Subspace s = tasks(tenantId).get("claim_expiry");
        return new Range(s.range().begin, s.pack(Tuple.from(millis)));
    }

    public byte[] taskDelayed(String tenantId, long readyAtMillis, String taskId) {
        return tasks(tenantId).get("delayed").pack(Tuple.from(readyAtMillis, taskId));
    }

    public Range taskDelayedBefore(String tenantId, long millis) {
        Subspace s = tasks(tenantId).get("delayed");
        return new Range(s.range().begin, s.pack(Tuple.from(millis)));
    }

    /** (millis, id) of a {@link #agentLeaseExpiry}, {@link #taskClaimExpiry} or {@link #taskDelayed} key. */
    public TimedEntry timedEntry(String tenantId, byte[] key) {
        Tuple t = tenant(tenantId).unpack(key);
        return new TimedEntry(t.getLong(2), t.getString(3));
    }

    /** An entry of a time-ordered index: when, and which agent or task. */
    public record TimedEntry(long millis, String id) {
    }

    public byte[] skillSignal(String tenantId, String skillId) {
        return tasks(tenantId).get("signal").pack(Tuple.from("skill", skillId));
    }

    public byte[] agentSignal(String tenantId, String agentId) {
        return tasks(tenantId).get("signal").pack(Tuple.from("agent", agentId));
    }

    public byte[] taskIdempotency(String tenantId, String principal, String idempotencyKey) {
        return tasks(tenantId).get("idempotency").pack(Tuple.from(principal, idempotencyKey));
    }

    private Subspace agents(String tenantId) {
        return tenants.subspace(Tuple.from(tenantId, "agents"));
    }

    private Subspace tasks(String tenantId) {
        return tenants.subspace(Tuple.from(tenantId, "tasks"));
    }

    // ---- knowledge base ----

    public byte[] knowledgeDocument(String tenantId, String documentId) {
        return knowledge(tenantId, "doc").pack(Tuple.from(documentId));
    }

    /** Every {@link #knowledgeDocument} key of a tenant. */
    public Range knowledgeDocuments(String tenantId) {
        return knowledge(tenantId, "doc").range();
    }

    public byte[] knowledgeDocumentByPath(String tenantId, String collection, String path) {
        return knowledge(tenantId, "doc_by_path").pack(Tuple.from(collection, path));
    }

    public byte[] knowledgeRaw(String tenantId, String documentId, int part) {
        return knowledge(tenantId, "raw").pack(Tuple.from(documentId, part));
    }

    public Range knowledgeRawParts(String tenantId, String documentId) {
        return knowledge(tenantId, "raw").get(documentId).range();
    }

    public byte[] knowledgeChunk(String tenantId, String documentId, int chunkNo) {
        return knowledge(tenantId, "chunk").pack(Tuple.from(documentId, chunkNo));
    }

    public Range knowledgeChunksOf(String tenantId, String documentId) {
        return knowledge(tenantId, "chunk").get(documentId).range();
    }

    public byte[] knowledgeVector(String tenantId, String documentId, int chunkNo) {
        return knowledge(tenantId, "vector").pack(Tuple.from(documentId, chunkNo));
    }

    /** Every {@link #knowledgeVector} key of a tenant, from {@code after} (exclusive) when given. */
    public Range knowledgeVectors(String tenantId, byte[] after) {
        Range all = knowledge(tenantId, "vector").range();
        return after == null ? all : new Range(keyAfter(after), all.end);
    }

    /** The (documentId, chunkNo) of a {@link #knowledgeVector} key. */
    public ChunkRef knowledgeVectorRef(String tenantId, byte[] key) {
        Tuple t = knowledge(tenantId, "vector").unpack(key);
        return new ChunkRef(t.getString(0), (int) t.getLong(1));
    }

    public byte[] knowledgePosting(String tenantId, String term, String documentId, int chunkNo) {
        return knowledge(tenantId, "posting").pack(Tuple.from(term, documentId, chunkNo));
    }

    public Range knowledgePostings(String tenantId, String term) {
        return knowledge(tenantId, "posting").get(term).range();
    }

    /** The (documentId, chunkNo) of a {@link #knowledgePosting} key. */
    public ChunkRef knowledgePostingRef(String tenantId, byte[] key) {
        Tuple t = knowledge(tenantId, "posting").unpack(key);
        return new ChunkRef(t.getString(1), (int) t.getLong(2));
    }

    public byte[] knowledgeTermCount(String tenantId, String term) {
        return knowledge(tenantId, "term_df").pack(Tuple.from(term));
    }

    public byte[] knowledgeStat(String tenantId, String name) {
        return knowledge(tenantId, "stats").pack(Tuple.from(name));
    }

    /**
     * A change-log key whose versionstamp the commit fills in, as the parameter of {@code SET_VERSIONSTAMPED_KEY}.
     * {@code order} tells apart the entries of one transaction, which share the commit's versionstamp.
     */
    public byte[] knowledgeLogEntry(String tenantId, int order) {
        return VersionstampKeys.pack(knowledge(tenantId, "log"), Tuple.from(Versionstamp.incomplete(order)));
    }

    /** The change-log entries of a tenant after {@code after} (exclusive; null for all). */
    public Range knowledgeLog(String tenantId, byte[] after) {
        Range all = knowledge(tenantId, "log").range();
        return after == null ? all : new Range(keyAfter(after), all.end);
    }

    /** Where the trimming of a tenant's change log got to. */
    public byte[] knowledgeLogTrimmed(String tenantId) {
        return knowledge(tenantId, "log_trimmed").pack();
    }

    /** Everything of a tenant's knowledge base. */
    public Range knowledgeRange(String tenantId) {
        return tenant(tenantId).get("kb").range();
    }

    private Subspace knowledge(String tenantId, String part) {
        return tenants.subspace(Tuple.from(tenantId, "kb", part));
    }

    /** A chunk of a knowledge document. */
    public record ChunkRef(String documentId, int chunkNo) {
    }

    // ---- tenants ----

    /** Everything a tenant owns under {@code tenant/<tid>}. */
    public Range tenantRange(String tenantId) {
        return tenant(tenantId).range();
    }

    private Subspace tenant(String tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        return tenants.get(tenantId);
    }

    /**
     * The key {@code (tid, part, items...)} in the tenants' subspace, packed in one go: the same bytes as
     * {@code tenant(tid).get(part).pack(Tuple.from(items))}, without packing each level on its own (the session
     * check builds three of these per request).
     */
    private byte[] inTenant(String tenantId, String part, Object... items) {
        Objects.requireNonNull(tenantId, "tenantId");
        return tenants.pack(Tuple.from(tenantId, part).addAll(Arrays.asList(items)));
    }

    /**
     * A key holding a versionstamp that the commit fills in: {@link #param} is what {@code SET_VERSIONSTAMPED_KEY}
     * takes as key and {@code SET_VERSIONSTAMPED_VALUE} as value (the bytes, then the 4-byte little-endian offset
     * of the placeholder).
     */
    public record VersionstampedKey(byte[] param) {
    }

    // ---- value encodings of the layout ----

    /** Epoch millis as the 8-byte little-endian integer that atomic {@code MAX} compares: {@link #MILLIS}. */
    public static byte[] millis(long epochMillis) {
        return MILLIS.encode(epochMillis);
    }

    /** A {@link #MILLIS} or {@link #COUNTER} value, 0 when there is none. */
    public static long millis(byte[] value) {
        return value == null ? 0 : MILLIS.decode(value);
    }

    /** The key just after {@code key}: where a scan that has read up to {@code key} resumes. */
    public static byte[] keyAfter(byte[] key) {
        return ByteArrayUtil.join(key, new byte[] {0});
    }

    /** The value of subspaces whose keys say everything: present or not. */
    public enum Marker {
        PRESENT
    }

    /** The empty value of an index entry ({@link #MARKER}). */
    public static byte[] marker() {
        return MARKER.encode(Marker.PRESENT);
    }

    /** Empty: the key is the whole entry. */
    public static final ValueCodec<Marker> MARKER = Codecs.of("an empty marker", m -> new byte[0], b -> {
        if (b.length != 0) {
            throw new IllegalArgumentException(b.length + " bytes where none belong");
        }
        return Marker.PRESENT;
    });

    /** Epoch millis, 8 bytes little-endian: the operand atomic {@code MAX} compares. */
    public static final ValueCodec<Long> MILLIS = Codecs.littleEndianLong("8-byte little-endian epoch millis");

    /** A count, 8 bytes little-endian: the operand of atomic {@code ADD}. */
    public static final ValueCodec<Long> COUNTER = Codecs.littleEndianLong("an 8-byte little-endian counter");

    /** The account an email belongs to: the tuple (tenantId, userId). */
    public static final ValueCodec<Owner> EMAIL_OWNER = Codecs.tuple("the tuple (tenantId, userId)", 2,
            o -> Tuple.from(o.tenantId(), o.userId()),
            t -> new Owner(Codecs.text(t, 0, "tenantId"), Codecs.text(t, 1, "userId")));

    /** Counted attempts in a fixed window, JSON {@code {start, attempts, last}}. */
    public static final ValueCodec<AttemptWindow> ATTEMPT_WINDOW = Codecs.json(AttemptWindow.class,
            "an attempt window {start, attempts, last}", w -> {
                if (w.start() == null || w.attempts() < 0) {
                    throw new IllegalArgumentException("the window has no start or a negative count");
                }
            });

    /** The JSON envelope of an event, as published. */
    public static final ValueCodec<Event> EVENT = Codecs.json(
            Event.class, "an event envelope {id, type, version, occurredAt, ...}", e -> {
                if (e.id() == null || e.type() == null || e.occurredAt() == null) {
                    throw new IllegalArgumentException("the envelope has no id, type or occurredAt");
                }
            });

    /** The last epoch handed to an agent id, and the workspace that registered it: the tuple (epoch, workspaceId). */
    public static final ValueCodec<AgentEpoch> AGENT_EPOCH = Codecs.tuple("the tuple (epoch, workspaceId)", 2,
            e -> Tuple.from(e.epoch(), e.workspaceId()),
            t -> new AgentEpoch(Codecs.number(t, 0, "epoch"), Codecs.text(t, 1, "workspaceId")));

    /** The task an Idempotency-Key created, and the fingerprint of its request: the tuple (taskId, fingerprint). */
    public static final ValueCodec<IdempotentTask> IDEMPOTENT_TASK = Codecs.tuple(
            "the tuple (taskId, fingerprint)", 2, i -> Tuple.from(i.taskId(), i.fingerprint()),
            t -> new IdempotentTask(Codecs.text(t, 0, "taskId"), Codecs.text(t, 1, "fingerprint")));

    /** A task id in ASCII: what a queue or inbox entry holds. */
    public static final ValueCodec<String> TASK_ID = Codecs.id("a task id in ASCII");

    /** The queue or inbox key where a waiting task sits. */
    public static final ValueCodec<byte[]> QUEUE_POSITION = Codecs.bytes("the key of a queue or inbox entry", 1);

    /** A knowledge document id in UTF-8. */
    public static final ValueCodec<String> DOCUMENT_ID = Codecs.utf8("a document id in UTF-8");

    /** A part of a submitted text: any bytes (a part may end inside a UTF-8 sequence that the next completes). */
    public static final ValueCodec<byte[]> RAW_TEXT = Codecs.bytes("a part of a submitted text", 0);

    /** An embedding: a 4-byte little-endian float scale, then one signed byte per dimension. */
    public static final ValueCodec<byte[]> VECTOR = Codecs.bytes("a scaled int8 vector", 5);

    /** How often a term occurs in a chunk, and the chunk's length: the tuple (termFrequency, chunkLength). */
    public static final ValueCodec<Posting> POSTING = Codecs.tuple("the tuple (termFrequency, chunkLength)", 2,
            p -> Tuple.from(p.termFrequency(), p.chunkLength()),
            t -> new Posting(Codecs.number(t, 0, "termFrequency"), Codecs.number(t, 1, "chunkLength")));

    /** A chunk of a knowledge document: the tuple (documentId, chunkNo). */
    public static final ValueCodec<ChunkRef> CHUNK_REF = Codecs.tuple("the tuple (documentId, chunkNo)", 2,
            c -> Tuple.from(c.documentId(), (long) c.chunkNo()),
            t -> new ChunkRef(Codecs.text(t, 0, "documentId"), Math.toIntExact(Codecs.number(t, 1, "chunkNo"))));

    /**
     * A change-log entry: the tuple (documentId, chunkNo, writtenAtMillis). Entries written before they carried
     * their time, (documentId, chunkNo), read with time 0: the oldest there is.
     */
    public static final ValueCodec<LogEntry> LOG_ENTRY = Codecs.of(
            "the tuple (documentId, chunkNo, writtenAtMillis)",
            e -> Tuple.from(e.documentId(), (long) e.chunkNo(), e.writtenAtMillis()).pack(),
            b -> {
                Tuple t = Tuple.fromBytes(b);
                if (t.size() != 2 && t.size() != 3) {
                    throw new IllegalArgumentException(t.size() + " elements instead of 3");
                }
                return new LogEntry(Codecs.text(t, 0, "documentId"),
                        Math.toIntExact(Codecs.number(t, 1, "chunkNo")),
                        t.size() == 3 ? Codecs.number(t, 2, "writtenAtMillis") : 0);
            });

    /** Where the trimming of a change log got to: a change-log key. */
    public static final ValueCodec<byte[]> LOG_POSITION = Codecs.bytes("a change-log key", 1);

    /** A change-log entry of a knowledge base: which chunk changed, and when. */
    public record LogEntry(String documentId, int chunkNo, long writtenAtMillis) {
    }

    /**
     * The one codec of the records of {@code part}, read into {@code type}: JSON by the one mapper. The part names
     * its record type, so a record is only ever read as what its subspace holds.
     */
    @SuppressWarnings("unchecked")
    public static <T> ValueCodec<T> record(Part part, Class<T> type) {
        if (part.recordType == null || !part.recordType.equals(type.getName())) {
            throw new IllegalArgumentException(part.path + " does not hold " + type.getName() + " records");
        }
        return (ValueCodec<T>) part.records(type);
    }

    /**
     * Counted attempts in a fixed window (login failures, signups): when the window started, the attempts in it
     * and the latest of them.
     */
    public record AttemptWindow(Instant start, int attempts, Instant last) {
        /** {@code stored} as of {@code now}: a fresh window when there is none or it has passed. */
        public static AttemptWindow at(AttemptWindow stored, Duration length, Instant now) {
            return stored == null || stored.passed(length, now) ? new AttemptWindow(now, 0, null) : stored;
        }

        public boolean passed(Duration length, Instant now) {
            return !now.isBefore(start.plus(length));
        }

        public AttemptWindow plusOne(Instant now) {
            return new AttemptWindow(start, attempts + 1, now);
        }

        /** One attempt fewer, never below none. */
        public AttemptWindow minusOne() {
            return new AttemptWindow(start, Math.max(0, attempts - 1), last);
        }

        public Duration remaining(Duration length, Instant now) {
            return Duration.between(now, start.plus(length));
        }
    }

    /** The last epoch of an agent id and the workspace it belongs to. */
    public record AgentEpoch(long epoch, String workspaceId) {
    }

    /** What an Idempotency-Key stands for: the task it created and the fingerprint of the request. */
    public record IdempotentTask(String taskId, String fingerprint) {
    }

    /** A posting's counts: the term's frequency in the chunk and the chunk's length. */
    public record Posting(long termFrequency, long chunkLength) {
    }

    // ---- the parts of the layout, for whoever walks a store ----

    /**
     * One subspace of the table above: its path, the shape of its key tuple ({@code s} string, {@code l} integer,
     * {@code v} versionstamp) and the codec of its values.
     */
    public enum Part {
        USERS_BY_EMAIL("users_by_email", "s", EMAIL_OWNER),
        USER("tenant/<tid>/user", "s", "ai.coditect.functions.auth.User"),
        SESSION("tenant/<tid>/session", "s", "ai.coditect.functions.auth.Session"),
        SESSION_BY_USER("tenant/<tid>/session_by_user", "ss", MARKER),
        SESSION_LAST_ACCESS("tenant/<tid>/session_last_access", "s", MILLIS),
        SESSION_EXPIRY("session_expiry", "lss", MARKER),
        LOGIN_FAILURES("login_failures", "s", ATTEMPT_WINDOW),
        SIGNUP_ATTEMPTS("signup_attempts", "s", ATTEMPT_WINDOW),
        LOGIN_FAILURES_BY_ADDRESS("login_failures_by_address", "ss", ATTEMPT_WINDOW),
        LOGIN_FAILURES_OF_ADDRESS("login_failures_of_address", "s", ATTEMPT_WINDOW),
        OUTBOX("outbox", "v", EVENT),
        WORKSPACE("tenant/<tid>/workspace", "s", "ai.coditect.functions.workspaces.Workspace"),
        WORKSPACE_ACTIVITY("workspace_activity", "ss", MILLIS),
        RUNNING_WORKSPACES("running_workspaces", "ss", MARKER),
        PROCESSED_EVENTS("processed_events", "s", MILLIS),
        AGENT("tenant/<tid>/agents/record", "s", "ai.coditect.functions.agents.Agent"),
        AGENT_EPOCH("tenant/<tid>/agents/epoch", "s", Keyspace.AGENT_EPOCH),
        AGENT_BY_SKILL("tenant/<tid>/agents/by_skill", "ss", MARKER),
        AGENT_LEASE_EXPIRY("tenant/<tid>/agents/lease_expiry", "ls", MARKER),
        AGENT_TENANTS("agent_tenants", "s", MARKER),
        TASK("tenant/<tid>/tasks/record", "s", "ai.coditect.functions.agents.Task"),
        TASK_HISTORY("tenant/<tid>/tasks/history", "sl", "ai.coditect.functions.agents.HistoryEntry"),
        TASK_QUEUE("tenant/<tid>/tasks/queue", "slv", TASK_ID),
        TASK_INBOX("tenant/<tid>/tasks/inbox", "sv", TASK_ID),
        TASK_QUEUED("tenant/<tid>/tasks/queued", "s", QUEUE_POSITION),
        TASK_BY_AGENT("tenant/<tid>/tasks/by_agent", "ss", MARKER),
        TASK_CLAIM_EXPIRY("tenant/<tid>/tasks/claim_expiry", "ls", MARKER),
        TASK_DELAYED("tenant/<tid>/tasks/delayed", "ls", MARKER),
        TASK_SIGNAL("tenant/<tid>/tasks/signal", "ss", COUNTER),
        TASK_IDEMPOTENCY("tenant/<tid>/tasks/idempotency", "ss", IDEMPOTENT_TASK),
        KB_DOCUMENT("tenant/<tid>/kb/doc", "s", "ai.coditect.knowledge.KnowledgeDocument"),
        KB_DOCUMENT_BY_PATH("tenant/<tid>/kb/doc_by_path", "ss", DOCUMENT_ID),
        KB_RAW("tenant/<tid>/kb/raw", "sl", RAW_TEXT),
        KB_CHUNK("tenant/<tid>/kb/chunk", "sl", "ai.coditect.knowledge.index.StoredChunk"),
        KB_VECTOR("tenant/<tid>/kb/vector", "sl", VECTOR),
        KB_POSTING("tenant/<tid>/kb/posting", "ssl", POSTING),
        KB_TERM_DF("tenant/<tid>/kb/term_df", "s", COUNTER),
        KB_STATS("tenant/<tid>/kb/stats", "s", COUNTER),
        KB_LOG("tenant/<tid>/kb/log", "v", LOG_ENTRY),
        KB_LOG_TRIMMED("tenant/<tid>/kb/log_trimmed", "", LOG_POSITION);

        private static final Map<String, Part> BY_PATH = new HashMap<>();

        static {
            for (Part p : values()) {
                BY_PATH.put(p.path, p);
            }
        }

        private final String path;
        private final String keyShape;
        private final String recordType;
        private volatile ValueCodec<?> codec;

        Part(String path, String keyShape, ValueCodec<?> codec) {
            this.path = path;
            this.keyShape = keyShape;
            this.recordType = null;
            this.codec = codec;
        }

        Part(String path, String keyShape, String recordType) {
            this.path = path;
            this.keyShape = keyShape;
            this.recordType = recordType;
        }

        /** The subspace as the table writes it, e.g. {@code tenant/<tid>/session}. */
        public String path() {
            return path;
        }

        /** Whether the values are records of a type of a module above this one (see {@link #record}). */
        public boolean holdsRecords() {
            return recordType != null;
        }

        /**
         * The codec of the values. For a part that holds records this is the record type's one codec; asking for it
         * before its module bound it with {@link #record} loads the record type by name.
         */
        public ValueCodec<?> codec() {
            ValueCodec<?> c = codec;
            if (c != null) {
                return c;
            }
            Class<?> type;
            try {
                type = Class.forName(recordType, false, Part.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(path + " holds " + recordType + " records, a type this class path "
                        + "does not have", e);
            }
            return records(type);
        }

        private synchronized ValueCodec<?> records(Class<?> type) {
            if (codec == null) {
                codec = Codecs.json(type, "a " + type.getSimpleName() + " record (JSON)", r -> {
                });
            }
            return codec;
        }

        private void checkKey(Tuple key) {
            boolean fits = key.size() == keyShape.length();
            for (int i = 0; fits && i < key.size(); i++) {
                Object item = key.get(i);
                fits = switch (keyShape.charAt(i)) {
                    case 's' -> item instanceof String;
                    case 'l' -> item instanceof Long;
                    default -> item instanceof Versionstamp;
                };
            }
            if (!fits) {
                throw new IllegalArgumentException("a key in " + path + " is " + key + ", not of the shape "
                        + keyShape);
            }
        }
    }

    /** Where a stored key belongs: its part, its tenant (null outside {@code tenant/<tid>}) and its key tuple. */
    public record Located(Part part, String tenantId, Tuple key) {
    }

    /**
     * The part of the layout that {@code key} belongs to, or {@link IllegalArgumentException} when no part claims
     * it or its tuple does not have the part's shape.
     */
    public Located locate(byte[] key) {
        if (!root.contains(key)) {
            throw new IllegalArgumentException(ByteArrayUtil.printable(key) + " is not under this key layout");
        }
        List<Object> items;
        try {
            items = root.unpack(key).getItems();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ByteArrayUtil.printable(key) + " is not a tuple key", e);
        }
        int at = 0;
        String tenantId = null;
        StringBuilder path = new StringBuilder();
        if (!items.isEmpty() && "tenant".equals(items.get(0)) && items.size() > 2 && items.get(1) instanceof String t) {
            tenantId = t;
            path.append("tenant/<tid>/").append(items.get(2));
            at = 3;
            if (items.get(2) instanceof String group && List.of("agents", "tasks", "kb").contains(group)
                    && items.size() > 3) {
                path.append('/').append(items.get(3));
                at = 4;
            }
        } else if (!items.isEmpty()) {
            path.append(items.get(0));
            at = 1;
        }
        Part part = Part.BY_PATH.get(path.toString());
        if (part == null) {
            throw new IllegalArgumentException(ByteArrayUtil.printable(key) + " is in no subspace of the key layout");
        }
        Tuple rest = Tuple.fromList(items.subList(at, items.size()));
        part.checkKey(rest);
        return new Located(part, tenantId, rest);
    }
}
