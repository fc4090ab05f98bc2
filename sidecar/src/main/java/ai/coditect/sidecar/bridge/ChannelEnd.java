package ai.coditect.sidecar.bridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One socket of a bridge relayed on a {@link RelayLoop}, non-blocking. What it cannot take at once waits here, and
 * while anything waits the other socket is not read: the sidecar holds at most one read per direction (plus its
 * own few frames), and a slow browser slows the backend down, as blocking writes did. Any thread may write; only
 * the loop's thread changes which events the selector watches for.
 */
final class ChannelEnd implements FramePump.Sink {
    private final SocketChannel channel;
    private final RelayLoop loop;
    private ChannelEnd peer;
    private SelectionKey key;
    /** Bytes written to this end that the socket has not taken yet, in write mode; null when none. */
    private ByteBuffer waiting;
    private volatile boolean holding;

    ChannelEnd(SocketChannel channel, RelayLoop loop) {
        this.channel = channel;
        this.loop = loop;
    }

    /** The two ends of a bridge: what waits for one of them stops reading the other. */
    static void pair(ChannelEnd a, ChannelEnd b) {
        a.peer = b;
        b.peer = a;
    }

    SocketChannel channel() {
        return channel;
    }

    /** Whether bytes wait for this socket to take them. */
    boolean holding() {
        return holding;
    }

    /** Whether the selector has stopped reading this socket (its peer holds bytes it has not taken yet). */
    boolean notRead() {
        SelectionKey k;
        synchronized (this) {
            k = key;
        }
        return k != null && k.isValid() && (k.interestOps() & SelectionKey.OP_READ) == 0;
    }

    /** Puts the socket under the loop's selector; on the loop's thread. */
    synchronized void register(RelayLoop.Handler handler) throws IOException {
        channel.configureBlocking(false);
        key = channel.register(loop.selector(), 0, handler);
    }

    /** Passes bytes on now as far as the socket takes them; the rest waits for room. */
    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(bytes, offset, length);
        if (!holding && key != null) {
            channel.write(src);
            if (!src.hasRemaining()) {
                return;
            }
        }
        if (waiting == null) {
            waiting = ByteBuffer.allocate(Math.max(src.remaining(), 4096));
        } else if (waiting.remaining() < src.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(waiting.position() + src.remaining());
            waiting.flip();
            bigger.put(waiting);
            waiting = bigger;
        }
        waiting.put(src);
        if (!holding) {
            holding = true;
            interestChanged();
        }
    }

    /** The selector says the socket has room: writes what waits. On the loop's thread. */
    synchronized void writable() throws IOException {
        if (waiting != null) {
            waiting.flip();
            channel.write(waiting);
            if (waiting.hasRemaining()) {
                waiting.compact();
                return;
            }
            waiting = null;
        }
        holding = false;
        interestChanged();
    }

    /** Watches this end (and its peer) for what they need now: reading unless the peer holds bytes, room to write. */
    void interestChanged() {
        if (loop.inLoop()) {
            updateInterest();
            peer.updateInterest();
        } else {
            loop.execute(() -> {
                updateInterest();
                peer.updateInterest();
            });
        }
    }

    private void updateInterest() {
        SelectionKey k;
        synchronized (this) {
            k = key;
        }
        if (k != null && k.isValid()) {
            k.interestOps((peer.holding ? 0 : SelectionKey.OP_READ) | (holding ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** Stops watching the socket; closing it is left to its owner. */
    synchronized void cancel() {
        if (key != null) {
            key.cancel();
        }
    }
}
