package ai.coditect.functions.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a fixed local port that a test can take down (connections cut, new ones refused) and bring
 * back up, to make a real peer such as the Pub/Sub emulator unreachable for a while.
 */
public final class TcpProxy implements AutoCloseable {
    private final int port;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    private TcpProxy(int port, int targetPort) {
        this.port = port;
        this.targetPort = targetPort;
    }

    /** A proxy to {@code 127.0.0.1:targetPort}, up. */
    public static TcpProxy to(int targetPort) throws IOException {
        TcpProxy proxy = new TcpProxy(TestPlatform.freePort(), targetPort);
        proxy.up();
        return proxy;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        server = s;
        Thread.ofVirtual().name("tcp-proxy-accept").start(() -> accept(s));
    }

    /** Cuts every open connection and refuses new ones until {@link #up()}. */
    public synchronized void down() throws IOException {
        if (server == null) {
            return;
        }
        server.close();
        server = null;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // closed by down() or close()
            }
            try {
                Socket backend = new Socket("127.0.0.1", targetPort);
                synchronized (this) {
                    if (server != s) {
                        // down() came while this connection was being set up: it must not outlive it
                        closeQuietly(client);
                        closeQuietly(backend);
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(backend);
                }
                Thread.ofVirtual().start(() -> pipe(client, backend));
                Thread.ofVirtual().start(() -> pipe(backend, client));
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side went away: the other goes too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        down();
    }
}
