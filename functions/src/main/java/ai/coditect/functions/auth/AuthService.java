package ai.coditect.functions.auth;

import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.workspaces.WorkspaceStore;
import ai.coditect.shared.events.Event;
import ai.coditect.shared.events.EventType;
import ai.coditect.shared.ids.Ids;
import ai.coditect.shared.logging.LogFields;
import ai.coditect.shared.store.BatchScan;
import ai.coditect.shared.store.Keyspace;
import ai.coditect.shared.store.Transactions;
import ai.coditect.shared.tokens.AccessToken;
import ai.coditect.shared.tokens.InvalidTokenException;
import ai.coditect.shared.tokens.TokenIssuer;
import ai.coditect.shared.tokens.TokenVerifier;
import com.apple.foundationdb.Database;
import com.apple.foundationdb.KeyValue;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Signup, login, the session check of every authenticated request, and revocation. Knows nothing of HTTP.
 * Passwords are hashed outside transactions; each transaction is small and safe to retry.
 */
public final class AuthService {
    private static final Logger LOG = Logger.getLogger(AuthService.class.getName());
    private static final int REVOKE_BATCH = 500;
    /** User records kept decoded for the session check: one per active user. */
    private static final int DECODED_USERS = 10_000;
    /** Sessions whose check keys are kept packed: one per active session. */
    private static final int PACKED_SESSIONS = 10_000;

    private final Database db;
    private final Keyspace keys;
    private final Clock clock;
    private final PasswordHasher hasher;
    private final TokenIssuer issuer;
    private final TokenVerifier verifier;
    private final SessionPolicy policy;
    private final java.time.Duration lastAccessGranularity;
    private final LoginPolicy logins;
    private final SignupPolicy signups;
    private final AttemptWindows attempts;
    private final LoginThrottle throttle;
    private final HashingGate gate;
    private final Sessions sessions;
    private final Outbox outbox;
    private final WorkspaceStore workspaces;
    private final DecodedRecords<User> users = new DecodedRecords<>(User.CODEC::decode, DECODED_USERS);
    private final ConcurrentHashMap<String, CheckKeys> packedKeys = new ConcurrentHashMap<>();

    public AuthService(Database db, Keyspace keys, Clock clock, PasswordHasher hasher, TokenIssuer issuer,
                       TokenVerifier verifier, SessionPolicy policy, LoginPolicy logins, SignupPolicy signups,
                       Outbox outbox, WorkspaceStore workspaces) {
        this.db = db;
        this.keys = keys;
        this.clock = clock;
        this.hasher = hasher;
        this.issuer = issuer;
        this.verifier = verifier;
        this.policy = policy;
        this.lastAccessGranularity = policy.lastAccessGranularity();
        this.logins = logins;
        this.signups = signups;
        this.attempts = new AttemptWindows(db, clock);
        this.throttle = new LoginThrottle(db, keys, clock, logins);
        this.gate = new HashingGate(logins.maxConcurrentHashes());
        this.sessions = new Sessions(keys);
        this.outbox = outbox;
        this.workspaces = workspaces;
    }

    /**
     * A service that only checks sessions ({@link #authenticate}): for functions that verify tokens with the public
     * keys and never hash, sign or write an event.
     */
    static AuthService verifying(Database db, Keyspace keys, Clock clock, TokenVerifier verifier,
                                 SessionPolicy policy) {
        return new AuthService(db, keys, clock, null, null, verifier, policy, LoginPolicy.DEFAULT,
                SignupPolicy.DEFAULT, null, null);
    }

    /** A new session and its token, the result of signup and login. */
    public record SignedIn(User user, Session session, String accessToken, Instant lastAccessAt) {
    }

    /**
     * The caller of an authenticated request, after its token and session were checked; {@code lastAccessAt} is the
     * session's last access as recorded (see {@link #authenticate}).
     */
    public record Caller(AccessToken token, User user, Session session, Instant lastAccessAt) {
        public String userId() {
            return user.id();
        }

        public String tenantId() {
            return user.tenantId();
        }
    }

    /** A session as its owner sees it in the list. */
    public record SessionSummary(Session session, Instant lastAccessAt) {
    }

    /**
     * Creates a user with a personal tenant and a first session, and requests the user's workspace. Well-formed
     * signups count against the limit of {@code clientAddress} whether or not the email is taken; one the hashing
     * gate turned away does not.
     */
    public SignedIn signup(String rawEmail, String password, String rawName, String userAgent, String clientAddress) {
        String email = Credentials.email(rawEmail);
        Credentials.checkPassword(password, email);
        String name = Credentials.name(rawName, email);
        byte[] attemptKey = keys.signupAttempts(clientAddress);
        attempts.count(attemptKey, signups.maxPerAddress(), signups.window(),
                "Too many signups from this address; try again later.");
        // counted before the gate so that parallel signups cannot slip past the limit; a busy answer made none
        String hash = hashing(() -> hasher.hash(password), () -> attempts.takeBack(attemptKey, signups.window()));
        Instant now = now();
        User user = new User(Ids.newId(), Ids.newId(), email, name, hash, now);
        Session session = newSession(user, now, userAgent);
        String workspaceId = Ids.newId();
        Event provisionRequest = Event.of(EventType.WORKSPACE_PROVISION_REQUESTED, user.tenantId(), user.id(),
                Map.of(), clock);
        Transactions.run(db, tr -> {
            byte[] emailKey = keys.userByEmail(email);
            if (tr.get(emailKey).join() != null) {
                throw new AuthException(AuthException.Reason.EMAIL_TAKEN, "An account with this email exists.");
            }
            tr.set(emailKey, Keyspace.EMAIL_OWNER.encode(new Keyspace.Owner(user.tenantId(), user.id())));
            tr.set(keys.user(user.tenantId(), user.id()), User.CODEC.encode(user));
            sessions.create(tr, session);
            workspaces.createRequested(tr, workspaceId, user.tenantId(), user.id(), now);
            // The workspace request commits with the account: a broker that is down delays it, never loses it.
            outbox.add(tr, provisionRequest);
            return null;
        });
        LogFields.of("tenantId", user.tenantId(), "userId", user.id()).log(LOG, Level.INFO, "signed up");
        outbox.relay();
        return signedIn(user, session);
    }

    /**
     * Checks a password and opens a session. Attempts are limited per email and client address and per address,
     * and spaced out per email (see {@link LoginThrottle}); the hash waits for a turn at the hashing gate.
     */
    public SignedIn login(String rawEmail, String password, String userAgent, String clientAddress) {
        String email;
        try {
            email = Credentials.email(rawEmail);
        } catch (AuthException e) {
            throw invalidCredentials();
        }
        throttle.admit(email, clientAddress);
        User user = Transactions.read(db, tr -> {
            byte[] owner = tr.get(keys.userByEmail(email)).join();
            if (owner == null) {
                return null;
            }
            Keyspace.Owner account = Keyspace.EMAIL_OWNER.decode(owner);
            byte[] record = tr.get(keys.user(account.tenantId(), account.userId())).join();
            return record == null ? null : User.CODEC.decode(record);
        });
        if (user == null) {
            hashing(email, clientAddress, () -> {
                hasher.verifyNobody(password == null ? "" : password);
                return null;
            });
            throttle.failed(email, clientAddress, false);
            throw invalidCredentials();
        }
        if (password == null
                || !hashing(email, clientAddress, () -> hasher.verify(password, user.passwordHash()))) {
            throttle.failed(email, clientAddress, true);
            throw invalidCredentials();
        }
        throttle.succeeded(email, clientAddress);
        String upgradedHash = hasher.needsRehash(user.passwordHash()) ? rehash(password) : null;
        Instant now = now();
        Session session = newSession(user, now, userAgent);
        User current = Transactions.run(db, tr -> {
            byte[] record = tr.get(keys.user(user.tenantId(), user.id())).join();
            if (record == null) {
                throw invalidCredentials();
            }
            User stored = User.CODEC.decode(record);
            if (upgradedHash != null && stored.passwordHash().equals(user.passwordHash())) {
                stored = stored.withPasswordHash(upgradedHash);
                tr.set(keys.user(user.tenantId(), user.id()), User.CODEC.encode(stored));
            }
            sessions.makeRoom(tr, user.tenantId(), user.id(), policy.maxPerUser(), now);
            sessions.create(tr, session);
            return stored;
        });
        return signedIn(current, session);
    }

    /** The gate every password hash of this service waits at; tests hold its turns to see it turn callers away. */
    HashingGate hashingGate() {
        return gate;
    }

    /** A hash at the gate; an attempt the gate turned away was no guess, so it is taken back from the count. */
    private <T> T hashing(String email, String clientAddress, java.util.function.Supplier<T> work) {
        return hashing(work, () -> throttle.notTried(email, clientAddress));
    }

    /** A hash at the gate; {@code turnedAway} runs when the gate answers busy, before that answer goes on. */
    private <T> T hashing(java.util.function.Supplier<T> work, Runnable turnedAway) {
        try {
            return gate.run(work);
        } catch (AuthException e) {
            if (e.reason() == AuthException.Reason.BUSY) {
                turnedAway.run();
            }
            throw e;
        }
    }

    /** A stronger hash of a password that just verified, or null when the gate is full: it can wait a login. */
    private String rehash(String password) {
        try {
            return gate.run(() -> hasher.hash(password));
        } catch (AuthException e) {
            if (e.reason() == AuthException.Reason.BUSY) {
                return null;
            }
            throw e;
        }
    }

    private static AuthException invalidCredentials() {
        return new AuthException(AuthException.Reason.INVALID_CREDENTIALS, "The email or password is wrong.");
    }

    private Session newSession(User user, Instant now, String userAgent) {
        return new Session(Ids.newId(), user.tenantId(), user.id(), now, now.plus(policy.lifetime()), null,
                userAgent == null ? "" : userAgent);
    }

    private SignedIn signedIn(User user, Session session) {
        String token = issuer.issue(user.id(), user.tenantId(), session.id(), session.expiresAt());
        return new SignedIn(user, session, token, session.createdAt());
    }

    /**
     * The check of every authenticated request: the token must verify, and its session must exist, belong to
     * the token's user, not be revoked, and be within its absolute lifetime and idle timeout. Records the access.
     */
    public Caller authenticate(String bearerToken) {
        Instant now = now(); // one clock read for the token's times and the session's (the verifier has this clock)
        AccessToken token;
        try {
            token = verifier.verify(bearerToken, now);
        } catch (InvalidTokenException e) {
            if (e.reason() == InvalidTokenException.Reason.EXPIRED) {
                throw new AuthException(AuthException.Reason.SESSION_EXPIRED, "The session has expired; log in again.");
            }
            throw new AuthException(AuthException.Reason.TOKEN_INVALID, "The access token is not valid.");
        }
        CheckKeys k = checkKeys(token);
        return Transactions.run(db, tr -> {
            CompletableFuture<Session> sessionRead = sessions.read(tr, k.session());
            CompletableFuture<byte[]> userRead = tr.get(k.user());
            CompletableFuture<Optional<Instant>> lastAccessRead = sessions.lastAccess(tr, k.lastAccess());
            Session session = sessionRead.join();
            byte[] userRecord = userRead.join();
            if (session != null && !session.userId().equals(token.userId())) {
                throw new AuthException(AuthException.Reason.TOKEN_INVALID, "The access token is not valid.");
            }
            if (session == null || userRecord == null) {
                throw new AuthException(AuthException.Reason.SESSION_REVOKED, "The session has ended; log in again.");
            }
            if (session.isRevoked()) {
                throw new AuthException(AuthException.Reason.SESSION_REVOKED, "The session was logged out.");
            }
            Instant lastAccess = lastAccessRead.join().orElse(session.createdAt());
            if (!now.isBefore(session.expiresAt()) || !now.isBefore(lastAccess.plus(policy.idleTimeout()))) {
                throw new AuthException(AuthException.Reason.SESSION_EXPIRED, "The session has expired; log in again.");
            }
            // the caller is told the access the platform has recorded, from which the session idles out: this
            // request's time when it was due to be recorded, else the one recorded less than a granularity ago
            Instant recorded = sessions.touch(tr, session, lastAccess, now, lastAccessGranularity) ? now : lastAccess;
            return new Caller(token, users.decode(userRecord), session, recorded);
        });
    }

    /** The keys a session check reads, for the session, tenant and user its token names. */
    private record CheckKeys(String tenantId, String userId, byte[] session, byte[] user, byte[] lastAccess) {
    }

    /**
     * The keys a session check of {@code token} reads, packed once per session: a session is checked every few
     * seconds, and packing three keys was a tenth of the check's CPU. Kept by session id and used only for the same
     * tenant and user; bounded like the decoded records.
     */
    private CheckKeys checkKeys(AccessToken token) {
        CheckKeys k = packedKeys.get(token.sessionId());
        if (k != null && k.tenantId().equals(token.tenantId()) && k.userId().equals(token.userId())) {
            return k;
        }
        String tid = token.tenantId();
        k = new CheckKeys(tid, token.userId(), keys.session(tid, token.sessionId()), keys.user(tid, token.userId()),
                keys.sessionLastAccess(tid, token.sessionId()));
        if (packedKeys.size() >= PACKED_SESSIONS) {
            packedKeys.clear();
        }
        packedKeys.put(token.sessionId(), k);
        return k;
    }

    /**
     * Deletes the caller's account after checking the password again: at once the email is freed, the user record
     * goes (so every session is refused from the commit on) and {@code account.deletion.requested} is written to
     * the outbox in the same transaction; its consumer ({@link AccountDeletion}) removes the workspace and every
     * other key of the user's tenant. Password attempts here count like logins.
     */
    public void deleteAccount(Caller caller, String password, String clientAddress) {
        String email = caller.user().email();
        throttle.admit(email, clientAddress);
        if (password == null
                || !hashing(email, clientAddress, () -> hasher.verify(password, caller.user().passwordHash()))) {
            throttle.failed(email, clientAddress, true);
            throw new AuthException(AuthException.Reason.INVALID_CREDENTIALS, "The password is wrong.");
        }
        throttle.succeeded(email, clientAddress);
        Event deletion = Event.withId("account-deletion-" + caller.userId(), EventType.ACCOUNT_DELETION_REQUESTED,
                caller.tenantId(), caller.userId(), Map.of(), clock);
        Transactions.run(db, tr -> {
            byte[] emailKey = keys.userByEmail(email);
            byte[] owner = tr.get(emailKey).join();
            if (owner != null && Keyspace.EMAIL_OWNER.decode(owner)
                    .equals(new Keyspace.Owner(caller.tenantId(), caller.userId()))) {
                tr.clear(emailKey);
            }
            tr.clear(keys.user(caller.tenantId(), caller.userId()));
            outbox.add(tr, deletion);
            return null;
        });
        LogFields.of("tenantId", caller.tenantId(), "userId", caller.userId()).log(LOG, Level.INFO,
                "account deletion requested");
        outbox.relay();
    }

    /** Times are kept to the millisecond, the resolution of the expiry index and of last-access values. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** When an idle session expires, given its last access. */
    public Instant idleExpiry(Instant lastAccessAt) {
        return lastAccessAt.plus(policy.idleTimeout());
    }

    /** One page of the caller's sessions; {@code nextCursor} is null on the last page. */
    public record SessionPage(List<SessionSummary> sessions, String nextCursor) {
    }

    /**
     * A page of the caller's sessions that are still usable, newest first within the page: at most {@code limit}
     * index entries after the session {@code cursor} (null: from the start), so no read is unbounded. A page may
     * hold fewer than {@code limit} sessions when some of its entries have ended.
     */
    public SessionPage sessions(Caller caller, int limit, String cursor) {
        Instant now = now();
        return Transactions.read(db, tr -> {
            List<KeyValue> entries = tr.getRange(keys.sessionsOfUser(caller.tenantId(), caller.userId(), cursor),
                    limit).asList().join();
            List<CompletableFuture<Session>> reads = new ArrayList<>();
            List<CompletableFuture<Optional<Instant>>> lastAccessReads = new ArrayList<>();
            String last = null;
            for (KeyValue kv : entries) {
                last = keys.sessionIdOfSessionByUser(caller.tenantId(), kv.getKey());
                reads.add(sessions.read(tr, caller.tenantId(), last));
                lastAccessReads.add(sessions.lastAccess(tr, caller.tenantId(), last));
            }
            List<SessionSummary> out = new ArrayList<>();
            for (int i = 0; i < reads.size(); i++) {
                Session s = reads.get(i).join();
                if (s == null || s.isRevoked() || !now.isBefore(s.expiresAt())) {
                    continue;
                }
                Instant lastAccess = lastAccessReads.get(i).join().orElse(s.createdAt());
                if (now.isBefore(idleExpiry(lastAccess))) {
                    out.add(new SessionSummary(s, lastAccess));
                }
            }
            out.sort(Comparator.comparing((SessionSummary s) -> s.session().createdAt()).reversed());
            return new SessionPage(out, entries.size() == limit ? last : null);
        });
    }

    /** Revokes one of the caller's own sessions; another user's session id is simply not found. */
    public void revoke(Caller caller, String sessionId) {
        Instant now = now();
        Transactions.run(db, tr -> {
            Session s = Ids.isWellFormed(sessionId) ? sessions.read(tr, caller.tenantId(), sessionId).join() : null;
            if (s == null || !s.userId().equals(caller.userId())) {
                throw new AuthException(AuthException.Reason.SESSION_NOT_FOUND, "You have no such session.");
            }
            sessions.revoke(tr, s, now);
            return null;
        });
    }

    public void logout(Caller caller) {
        revoke(caller, caller.session().id());
    }

    /** Revokes every session of the caller, in batches that keep each transaction small. */
    public void logoutAll(Caller caller) {
        Instant now = now();
        BatchScan.change(db, keys.sessionsOfUser(caller.tenantId(), caller.userId()), REVOKE_BATCH, (tr, batch) -> {
            for (KeyValue kv : batch) {
                Session s = sessions.read(tr, caller.tenantId(),
                        keys.sessionIdOfSessionByUser(caller.tenantId(), kv.getKey())).join();
                if (s != null) {
                    sessions.revoke(tr, s, now);
                }
            }
        });
        LogFields.of("tenantId", caller.tenantId(), "userId", caller.userId())
                .log(LOG, Level.INFO, "logged out everywhere");
    }
}
