package ai.coditect.shared.store;

import com.apple.foundationdb.Range;
import com.apple.foundationdb.TransactionContext;
import com.apple.foundationdb.directory.DirectoryLayer;
import com.apple.foundationdb.directory.DirectorySubspace;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The key layout of Coditect in FoundationDB. Every key is built here and nowhere else. All subspaces live under
 * the directory {@code coditect/<environment>}; every tenant-owned key lives under {@code tenant/<tid>}.
 *
 * <table>
 *   <caption>Subspaces</caption>
 *   <tr><th>subspace</th><th>key</th><th>value</th></tr>
 *   <tr><td>{@code users_by_email}</td><td>(email)</td><td>(tenantId, userId)</td></tr>
 *   <tr><td>{@code tenant/<tid>/user}</td><td>(userId)</td><td>user record</td></tr>
 *   <tr><td>{@code tenant/<tid>/session}</td><td>(sessionId)</td><td>session record</td></tr>
 *   <tr><td>{@code tenant/<tid>/session_by_user}</td><td>(userId, sessionId)</td><td>empty</td></tr>
 *   <tr><td>{@code tenant/<tid>/session_last_access}</td><td>(sessionId)</td><td>8-byte little-endian epoch
 *       millis, written with atomic {@code MAX} (no read, no conflict)</td></tr>
 *   <tr><td>{@code session_expiry}</td><td>(expiresAtMillis, tid, sessionId)</td><td>empty — cleanup scans a
 *       prefix of this</td></tr>
 *   <tr><td>{@code login_failures}</td><td>(email)</td><td>failure window</td></tr>
 *   <tr><td>{@code signup_attempts}</td><td>(client address)</td><td>attempt window</td></tr>
 *   <tr><td>{@code login_failures_by_address}</td><td>(email, client address)</td><td>failure window</td></tr>
 *   <tr><td>{@code login_failures_of_address}</td><td>(client address)</td><td>failure window</td></tr>
 *   <tr><td>{@code outbox}</td><td>(versionstamp)</td><td>event envelope, written in the same transaction as the
 *       state change; relayed, then cleared</td></tr>
 *   <tr><td>{@code tenant/<tid>/workspace}</td><td>(userId)</td><td>workspace record</td></tr>
 *   <tr><td>{@code workspace_activity}</td><td>(tid, userId)</td><td>8-byte LE epoch millis, atomic
 *       {@code MAX}</td></tr>
 *   <tr><td>{@code running_workspaces}</td><td>(tid, userId)</td><td>empty — cleanup's idle scan</td></tr>
 *   <tr><td>{@code processed_events}</td><td>(eventId)</td><td>expiry — idempotency of consumers</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/record}</td><td>(agentId)</td><td>agent record (card, epoch, lease)</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/epoch}</td><td>(agentId)</td><td>(last epoch) — kept after the record goes,
 *       so a re-registration always fences every earlier one</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/by_skill}</td><td>(skillId, agentId)</td><td>empty — discovery</td></tr>
 *   <tr><td>{@code tenant/<tid>/agents/lease_expiry}</td><td>(expiresAtMillis, agentId)</td><td>empty — reaping
 *       scans a prefix</td></tr>
 *   <tr><td>{@code agent_tenants}</td><td>(tid)</td><td>empty — the tenants cleanup visits for reaping</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/record}</td><td>(taskId)</td><td>task record</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/history}</td><td>(taskId, seq)</td><td>one state change</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/queue}</td><td>(skillId, rank, versionstamp)</td><td>taskId — rank 0 is
 *       the highest priority; producers never conflict</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/inbox}</td><td>(agentId, versionstamp)</td><td>taskId — handed to one
 *       agent</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/queued}</td><td>(taskId)</td><td>its queue or inbox key (versionstamped
 *       value)</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/by_agent}</td><td>(agentId, taskId)</td><td>empty — the claims of an
 *       agent</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/claim_expiry}</td><td>(expiresAtMillis, taskId)</td><td>empty</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/delayed}</td><td>(readyAtMillis, taskId)</td><td>empty — retries waiting
 *       out their backoff</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/signal}</td><td>("skill", skillId) or ("agent", agentId)</td><td>counter,
 *       atomic {@code ADD} on every enqueue; long-polling claimers watch it</td></tr>
 *   <tr><td>{@code tenant/<tid>/tasks/idempotency}</td><td>(principal, Idempotency-Key)</td><td>(taskId,
 *       request fingerprint)</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/doc}</td><td>(documentId)</td><td>knowledge document record</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/doc_by_path}</td><td>(collection, path)</td><td>documentId</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/raw}</td><td>(documentId, part)</td><td>the submitted text, in parts of at
 *       most 90,000 bytes</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/chunk}</td><td>(documentId, chunkNo)</td><td>chunk record: text, offsets,
 *       heading path, content hash</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/vector}</td><td>(documentId, chunkNo)</td><td>4-byte LE float scale, then
 *       one signed byte per dimension</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/posting}</td><td>(term, documentId, chunkNo)</td><td>(term frequency, chunk
 *       length)</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/term_df}</td><td>(term)</td><td>8-byte LE count of chunks holding the term,
 *       atomic {@code ADD}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/stats}</td><td>(name)</td><td>8-byte LE counters {@code chunks},
 *       {@code tokens}, atomic {@code ADD}</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/log}</td><td>(versionstamp)</td><td>a changed or removed chunk
 *       (documentId, chunkNo) — the in-memory vector index follows this</td></tr>
 *   <tr><td>{@code tenant/<tid>/kb/log_trimmed}</td><td>()</td><td>the newest change-log key removed by
 *       trimming; an in-memory index behind it reloads</td></tr>
 * </table>
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

    private Keyspace(Subspace root) {
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
        return tenant(tenantId).get("user").pack(Tuple.from(userId));
    }

    // ---- sessions ----

    public byte[] session(String tenantId, String sessionId) {
        return tenant(tenantId).get("session").pack(Tuple.from(sessionId));
    }

    public byte[] sessionByUser(String tenantId, String userId, String sessionId) {
        return tenant(tenantId).get("session_by_user").pack(Tuple.from(userId, sessionId));
    }

    /** Every {@link #sessionByUser} key of one user. */
    public Range sessionsOfUser(String tenantId, String userId) {
        return tenant(tenantId).get("session_by_user").get(userId).range();
    }

    /** The session id of a {@link #sessionByUser} key. */
    public String sessionIdOfSessionByUser(String tenantId, byte[] key) {
        return tenant(tenantId).get("session_by_user").unpack(key).getString(1);
    }

    public byte[] sessionLastAccess(String tenantId, String sessionId) {
        return tenant(tenantId).get("session_last_access").pack(Tuple.from(sessionId));
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
        return tenant(tenantId).get("workspace").pack(Tuple.from(userId));
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
                : new Range(com.apple.foundationdb.tuple.ByteArrayUtil.join(s.pack(Tuple.from(afterTaskId)),
                        new byte[] {0}), s.range().end);
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
        return tenant(tenantId).get("agents");
    }

    private Subspace tasks(String tenantId) {
        return tenant(tenantId).get("tasks");
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
        return after == null ? all : new Range(com.apple.foundationdb.tuple.ByteArrayUtil.join(after, new byte[] {0}),
                all.end);
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
        return after == null ? all : new Range(com.apple.foundationdb.tuple.ByteArrayUtil.join(after, new byte[] {0}),
                all.end);
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
        return tenant(tenantId).get("kb").get(part);
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
     * A key holding a versionstamp that the commit fills in: {@link #param} is what {@code SET_VERSIONSTAMPED_KEY}
     * takes as key and {@code SET_VERSIONSTAMPED_VALUE} as value (the bytes, then the 4-byte little-endian offset
     * of the placeholder).
     */
    public record VersionstampedKey(byte[] param) {
    }

    // ---- value encodings of the layout ----

    /** Epoch millis as the 8-byte little-endian integer that atomic {@code MAX} compares. */
    public static byte[] millis(long epochMillis) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(epochMillis).array();
    }

    public static long millis(byte[] value) {
        return value == null ? 0 : ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
