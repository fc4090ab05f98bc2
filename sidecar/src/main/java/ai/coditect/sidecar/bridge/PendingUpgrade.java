package ai.coditect.sidecar.bridge;

import ai.coditect.sidecar.auth.Credentials;

/**
 * The backend connection that the authentication filter opened for a WebSocket upgrade, handed to the WebSocket
 * upgrade of the same request. Helidon runs the filter and the upgrade on the same thread, one after the other,
 * so a thread-local carries it across.
 */
record PendingUpgrade(Upstream upstream, Credentials credentials) {
    private static final ThreadLocal<PendingUpgrade> CURRENT = new ThreadLocal<>();

    void offer() {
        CURRENT.set(this);
    }

    static PendingUpgrade take() {
        PendingUpgrade p = CURRENT.get();
        CURRENT.remove();
        return p;
    }

    /** After the upgrade: a connection nobody took (the upgrade did not happen) is closed. */
    static void discardUntaken() {
        PendingUpgrade p = take();
        if (p != null) {
            p.upstream().close();
        }
    }
}
