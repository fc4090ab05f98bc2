package ai.coditect.sidecar.bridge;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramePumpTest {
    private static final FramePump.Listener PASS_ALL = new FramePump.Listener() {
        @Override
        public void dataFrame(int opcode, long payloadLength) {
        }

        @Override
        public boolean controlFrame(int opcode, byte[] payload) {
            return true;
        }
    };

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void aFrameOfTheSidecarsOwnAddedWhileAnotherThreadSendsOneGoesOutToo() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        FramePump pump = new FramePump(false, 1 << 20, (bytes, offset, length) -> {
            if (first.compareAndSet(true, false)) {
                writing.countDown(); // the first sender holds the pump while its bytes go out
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
            synchronized (written) {
                written.write(bytes, offset, length);
            }
        }, PASS_ALL);
        pump.start();
        byte[] ping = FramePump.controlFrame(FramePump.PING, "keep-alive".getBytes(StandardCharsets.UTF_8), false);
        byte[] close = FramePump.closeFrame(1009, "frame too large", false);

        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread pinger = Thread.ofPlatform().start(() -> {
            try {
                pump.inject(ping);
            } catch (IOException | RuntimeException e) {
                failed.set(e);
            }
        });
        assertTrue(writing.await(30, TimeUnit.SECONDS));
        pump.inject(close); // the pinger holds the pump: this thread leaves its frame to it
        release.countDown();
        pinger.join(TimeUnit.SECONDS.toMillis(30));

        assertNull(failed.get());
        synchronized (written) {
            assertArrayEquals(concat(ping, close), written.toByteArray(), "the ping, then the close");
        }
    }

    @Test
    void nothingGoesOutAfterACloseAndAddingMoreReturns() throws Exception {
        FramePump pump = new FramePump(false, 1 << 20, (bytes, offset, length) -> written.write(bytes, offset, length),
                PASS_ALL);
        pump.start();
        byte[] close = FramePump.closeFrame(1001, "going away", false);
        pump.inject(close);
        pump.inject(FramePump.controlFrame(FramePump.PING, new byte[0], false));
        assertTrue(pump.closeSent());
        assertArrayEquals(close, written.toByteArray());
    }

    @Test
    void framesAddedBeforeTheStartWaitForIt() throws Exception {
        FramePump pump = new FramePump(false, 1 << 20, (bytes, offset, length) -> written.write(bytes, offset, length),
                PASS_ALL);
        byte[] ping = FramePump.controlFrame(FramePump.PING, new byte[] {1}, false);
        pump.inject(ping);
        assertArrayEquals(new byte[0], written.toByteArray(), "the handshake's answer goes first");
        pump.start();
        assertArrayEquals(ping, written.toByteArray());
    }
}
