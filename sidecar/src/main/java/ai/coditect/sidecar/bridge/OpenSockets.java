package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.auth.Credentials;
import ai.coditect.sidecar.auth.SessionChecker;
import ai.coditect.shared.logging.LogFields;
import io.helidon.websocket.WsCloseCodes;

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
 * (1008), and close all of them when it shuts down (1001).
 */
public final class OpenSockets {
    private static final Logger LOG = Logger.getLogger(OpenSockets.class.getName());

    private final Set<SocketBridge> open = ConcurrentHashMap.newKeySet();

    void add(SocketBridge socket) {
        open.add(socket);
    }

    boolean remove(SocketBridge socket) {
        return open.remove(socket);
    }

    public int count() {
        return open.size();
    }

    public void pingAll() {
        for (SocketBridge s : open) {
            s.keepAlive();
        }
    }

    /**
     * Asks about the session of every open socket (answers are cached briefly) and closes with 1008 the sockets
     * whose session was revoked or has expired. When the platform cannot be asked, sockets stay open.
     */
    public int closeEndedSessions(SessionChecker sessions) {
        Map<String, List<SocketBridge>> bySession = new HashMap<>();
        for (SocketBridge s : open) {
            bySession.computeIfAbsent(s.credentials().sessionId(), k -> new ArrayList<>()).add(s);
        }
        int closed = 0;
        for (List<SocketBridge> sockets : bySession.values()) {
            Credentials c = sockets.getFirst().credentials();
            SessionChecker.State state = sessions.check(c.token(), c.rawToken());
            if (state == SessionChecker.State.ACTIVE || state == SessionChecker.State.UNAVAILABLE) {
                continue;
            }
            for (SocketBridge s : sockets) {
                s.end(WsCloseCodes.VIOLATED_POLICY, "session " + state.name().toLowerCase());
                closed++;
            }
            LogFields.of("sessionId", c.sessionId(), "state", state.name(), "sockets", sockets.size())
                    .log(LOG, Level.INFO, "closed the WebSockets of an ended session");
        }
        return closed;
    }

    /** Closes every socket with 1001 (going away), for shutdown. */
    public void closeAll() {
        for (SocketBridge s : open) {
            s.end(WsCloseCodes.GOING_AWAY, "workspace shutting down");
        }
    }
}
