package ai.coditect.shared.store;

import com.apple.foundationdb.Range;
import com.apple.foundationdb.TransactionContext;
import com.apple.foundationdb.directory.DirectoryLayer;
import com.apple.foundationdb.directory.DirectorySubspace;
import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;

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
    public byte[] outboxEntry(int userVersion) {
        return versionstampedAfter(outbox.pack(), userVersion);
    }

    /** Every outbox entry, oldest first. */
    public Range outbox() {
        return outbox.range();
    }

    /**
     * {@code prefix}, a tuple-encoded incomplete versionstamp, and the 4-byte little-endian offset of its 10
     * placeholder bytes, as {@code Tuple.packWithVersionstamp} would make it without loading the native library.
     */
    private static byte[] versionstampedAfter(byte[] prefix, int userVersion) {
        if (userVersion < 0 || userVersion > 0xffff) {
            throw new IllegalArgumentException("a user version is 0 to 65535");
        }
        ByteBuffer out = ByteBuffer.allocate(prefix.length + 1 + 12 + 4);
        out.put(prefix).put((byte) 0x33); // the tuple layer's type code of a versionstamp
        for (int i = 0; i < 10; i++) {
            out.put((byte) 0xff);
        }
        out.putShort((short) userVersion);
        out.order(ByteOrder.LITTLE_ENDIAN).putInt(prefix.length + 1);
        return out.array();
    }

    public byte[] processedEvent(String eventId) {
        return processedEvents.pack(Tuple.from(eventId));
    }

    public Range processedEvents() {
        return processedEvents.range();
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

    // ---- value encodings of the layout ----

    /** Epoch millis as the 8-byte little-endian integer that atomic {@code MAX} compares. */
    public static byte[] millis(long epochMillis) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(epochMillis).array();
    }

    public static long millis(byte[] value) {
        return value == null ? 0 : ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
