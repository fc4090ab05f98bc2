package ai.coditect.sidecar.bridge;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.NioSocket;
import io.helidon.webserver.ConnectionContext;

import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The browser's socket channel under a Helidon connection, for the {@link RelayLoop}. Helidon's NIO socket (its
 * default for plain connections) keeps the channel in a private field and offers no accessor, so it is read
 * reflectively; when that is not possible (TLS, another Helidon version) the answer is null and the bridge relays
 * with threads over Helidon's reader and writer instead.
 */
final class ClientChannels {
    private static final Logger LOG = Logger.getLogger(ClientChannels.class.getName());
    private static final Field CHANNEL = channelField();

    private ClientChannels() {
    }

    /** The connection's channel, or null when it has none that the relay loop may take over. */
    static SocketChannel of(ConnectionContext ctx) {
        if (CHANNEL == null) {
            return null;
        }
        HelidonSocket socket = ctx.serverSocket();
        if (socket == null || socket.getClass() != NioSocket.class) {
            return null; // TLS sockets subclass it, and their bytes must go through their engine
        }
        try {
            return (SocketChannel) CHANNEL.get(socket);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    private static Field channelField() {
        try {
            Field f = NioSocket.class.getDeclaredField("delegate");
            if (f.getType() != SocketChannel.class) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.INFO, "WebSockets are relayed by two threads each: Helidon's socket channel is not reachable ("
                    + e + ")");
            return null;
        }
    }
}
