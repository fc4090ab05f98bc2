package ai.coditect.shared.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback ports for the servers the local platform, the tests and the benchmarks start. A port is free when
 * asked; another process may take it before it is bound, so callers bind it at once.
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** A port free on the loopback interface now. */
    public static int any() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}
