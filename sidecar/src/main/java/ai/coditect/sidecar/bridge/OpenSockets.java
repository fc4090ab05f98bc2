package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.auth.Credentials;
import ai.coditect.sidecar.auth.SessionChecker;
import ai.coditect.shared.logging.LogFields;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bridged WebSockets that are open, so that the sidecar can ping them, close those whose session has ended
 * (1008) as soon as it learns of it, and close all of them when it shuts down (1001).
 */
public final class OpenSockets {
    private static final Logger LOG = Logger.getLogger(OpenSockets.class.getName());

    private final Set<SocketBridge> open = ConcurrentHashMap.newKeySet();
    private final ai.coditect.sidecar.management.SidecarMetrics metrics;

    public OpenSockets(ai.coditect.sidecar.management.SidecarMetrics metrics) {
        this.metrics = metrics;
    }

    void add(SocketBridge socket) {
        open.add(socket);
    }

    boolean remove(SocketBridge socket) {
        return open.remove(socket);
    }

    public int count() {
        return open.size();
    }

    /** How many of the open sockets a relay loop carries; the others have two threads each ({@code wss:}). */
    int onRelayLoops() {
        return (int) open.stream().filter(SocketBridge::onRelayLoop).count();
    }

    /** How many open sockets hold their backend back now, because their browser has not taken what it was sent. */
    public int heldBack() {
        return (int) open.stream().filter(SocketBridge::backendHeldBack).count();
    }

    public void pingAll() {
        for (SocketBridge s : open) {
            s.keepAlive();
        }
    }

    /**
     * Asks the platform afresh about the session of every open socket (one question per session) and closes with
     * 1008 the sockets of sessions that were revoked, have expired or are not confirmed. When the platform cannot
     * be asked, sockets stay open: an outage of the platform does not cut every IDE off.
     */
    public int closeEndedSessions(SessionChecker sessions) {
        Map<String, List<SocketBridge>> bySession = new HashMap<>();
        for (SocketBridge s : open) {
            bySession.computeIfAbsent(s.credentials().sessionId(), k -> new ArrayList<>()).add(s);
        }
        int closed = 0;
        for (List<SocketBridge> sockets : bySession.values()) {
            Credentials c = sockets.getFirst().credentials();
            SessionChecker.State state = sessions.refresh(c.token(), c.rawToken());
            if (state.ended()) {
                closed += closeSession(c.sessionId(), state);
            }
        }
        return closed;
    }

    /** Closes with 1008 every open socket of a session that has ended; returns how many. */
    public int closeSession(String sessionId, SessionChecker.State state) {
        int closed = 0;
        for (SocketBridge s : open) {
            if (s.credentials().sessionId().equals(sessionId)) {
                s.end(SocketBridge.POLICY_VIOLATION, "session " + state.name().toLowerCase(java.util.Locale.ROOT));
                closed++;
            }
        }
        if (closed > 0) {
            metrics.sessionEnded(state.name().toLowerCase(java.util.Locale.ROOT));
            LogFields.of("sessionId", sessionId, "state", state.name(), "sockets", closed)
                    .log(LOG, Level.INFO, "closed the WebSockets of an ended session");
        }
        return closed;
    }

    /** Closes every socket with 1001 (going away), for shutdown. */
    public void closeAll() {
        for (SocketBridge s : open) {
            s.end(SocketBridge.GOING_AWAY, "workspace shutting down");
        }
    }
}
