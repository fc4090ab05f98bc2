package ai.coditect.sidecar.bridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A thread that copies the bytes of many bridged WebSockets: it waits on one selector for any of their sockets to
 * have bytes to read or room to write, and reads each ready socket once, as nginx's workers do. A thread per socket
 * and direction would read until the socket is empty, park, and be woken through the JDK's poller for every
 * message: two more system calls and two thread hand-overs per message. The process has one loop per core, shared
 * by all its sidecars, started on first use.
 */
final class RelayLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(RelayLoop.class.getName());
    /** What one read takes at most; the loop's one buffer, so its size costs nothing per socket. */
    static final int READ_SIZE = 16 * 1024;
    private static final RelayLoop[] LOOPS = new RelayLoop[Math.max(1, Runtime.getRuntime().availableProcessors())];
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** What the loop calls when a socket it watches is ready. */
    interface Handler {
        void ready(SelectionKey key);
    }

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_SIZE);
    private final Thread thread;

    private RelayLoop(int index) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("no selector for the WebSocket relay", e);
        }
        thread = Thread.ofPlatform().daemon().name("sidecar-relay-" + index).unstarted(this);
        thread.start();
    }

    /** The next loop, round robin, so that the sockets spread over the cores. */
    static RelayLoop next() {
        int i = Math.floorMod(NEXT.getAndIncrement(), LOOPS.length);
        synchronized (LOOPS) {
            if (LOOPS[i] == null) {
                LOOPS[i] = new RelayLoop(i);
            }
            return LOOPS[i];
        }
    }

    Selector selector() {
        return selector;
    }

    /** Whether the caller is this loop's thread. */
    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** The loop's read buffer, only for its own thread: cleared by the caller before each read. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** Runs {@code task} on the loop's thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Lets a change of interest made on another thread take effect now rather than at the next ready socket. */
    void wakeup() {
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    @Override
    public void run() {
        while (true) {
            try {
                selector.select(key -> {
                    try {
                        ((Handler) key.attachment()).ready(key);
                    } catch (CancelledKeyException e) {
                        // the bridge was torn down while its socket was ready
                    }
                });
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
            } catch (IOException | RuntimeException e) {
                // a failure of one bridge must not stop the others' relaying
                LOG.log(Level.WARNING, "WebSocket relay loop failed on one socket; it goes on", e);
            }
        }
    }
}
