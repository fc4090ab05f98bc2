package ai.coditect.sidecar.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of a bridged WebSocket: copies the frames read from one peer to the other as they are, without
 * decoding their payloads, and reads only the frame headers, so that the sidecar can put its own control frames
 * (keep-alive pings, a close) between two frames and never inside one. Control frames are held whole (at most 125
 * bytes of payload) so the listener can look at them and drop one. After a close frame has gone out, nothing else
 * does (RFC 6455 §5.5.1). One thread calls {@link #relay}; any thread may call {@link #inject}, whose frames wait
 * until {@link #start} (the handshake's answer must go first).
 */
final class FramePump {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    private static final SecureRandom MASKS = new SecureRandom();
    private static final int OUT_SIZE = 512;

    /** Where the frames go. */
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /** What the pump tells the bridge about the frames it passes. */
    interface Listener {
        /** A data frame's header went out; its payload follows. */
        void dataFrame(int opcode, long payloadLength);

        /** A whole control frame with its (unmasked) payload; true to pass it on, false to drop it. */
        boolean controlFrame(int opcode, byte[] payload);
    }

    /** The peer broke the protocol; the connection must end with {@code code}. */
    static final class ProtocolViolation extends Exception {
        private final int code;

        ProtocolViolation(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    private final boolean masked;
    private final long maxPayload;
    private final Sink sink;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Queue<byte[]> pending = new ConcurrentLinkedQueue<>();

    // the frame being read (only the relaying thread touches these, under the lock)
    private final byte[] header = new byte[14];
    private int headerLength;
    private int headerNeeded = 2;
    private long payloadLeft;
    private byte[] control;
    private int controlLength;
    private int controlHeader;
    /** What one relay passes on; small to start with, as most sockets are idle and most frames small. */
    private byte[] out = new byte[OUT_SIZE];
    private int outLength;
    private volatile boolean betweenFrames;
    private volatile boolean closeSent;

    /**
     * @param masked     whether the frames read are masked (from a browser) or not (from a server); the other
     *                   kind is a protocol violation
     * @param maxPayload the largest frame payload accepted, in bytes
     */
    FramePump(boolean masked, long maxPayload, Sink sink, Listener listener) {
        this.masked = masked;
        this.maxPayload = maxPayload;
        this.sink = sink;
        this.listener = listener;
    }

    /** Lets the sidecar's own frames go out from now on, and sends those that are waiting. */
    void start() throws IOException {
        betweenFrames = true;
        drainPending();
    }

    /** Whether a close frame has gone out in this direction. */
    boolean closeSent() {
        return closeSent;
    }

    /** Passes on what was read, frame by frame, and the sidecar's own frames that fall due at a frame boundary. */
    void relay(byte[] bytes, int offset, int length) throws IOException, ProtocolViolation {
        lock.lock();
        try {
            betweenFrames = false;
            int pos = offset;
            int end = offset + length;
            while (pos < end && !closeSent) {
                if (payloadLeft > 0) {
                    int n = (int) Math.min(payloadLeft, end - pos);
                    append(bytes, pos, n);
                    pos += n;
                    payloadLeft -= n;
                    if (payloadLeft == 0) {
                        frameEnded();
                    }
                } else if (control != null) {
                    int n = Math.min(control.length - controlLength, end - pos);
                    System.arraycopy(bytes, pos, control, controlLength, n);
                    pos += n;
                    controlLength += n;
                    if (controlLength == control.length) {
                        controlEnded();
                    }
                } else {
                    header[headerLength++] = bytes[pos++];
                    if (headerLength == 2) {
                        headerNeeded = headerSize();
                    }
                    if (headerLength == headerNeeded) {
                        headerEnded();
                    }
                }
            }
            flushOut();
            betweenFrames = headerLength == 0 && payloadLeft == 0 && control == null;
        } finally {
            lock.unlock();
        }
        if (betweenFrames && !pending.isEmpty()) {
            drainPending();
        }
    }

    /**
     * Sends one of the sidecar's own frames: now when no frame is under way, else right after the current one.
     * Once a close frame has gone out, nothing more is sent.
     */
    void inject(byte[] frame) throws IOException {
        pending.add(frame);
        drainPending();
    }

    private void drainPending() throws IOException {
        // whoever holds the lock looks at the pending frames again after letting it go: a frame added while another
        // thread held it, after that thread's last look, is sent by that thread, not left until the next frame
        while (!closeSent && !pending.isEmpty() && lock.tryLock()) {
            try {
                if (!betweenFrames) {
                    return; // the relaying thread sends what is pending at its next frame boundary
                }
                appendPending();
                flushOut();
            } finally {
                lock.unlock();
            }
        }
    }

    private int headerSize() throws ProtocolViolation {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        if ((b0 & 0x70) != 0) {
            throw new ProtocolViolation(1002, "reserved bits set");
        }
        int opcode = b0 & 0x0F;
        if (opcode > BINARY && opcode < CLOSE || opcode > PONG) {
            throw new ProtocolViolation(1002, "unknown opcode");
        }
        boolean isMasked = (b1 & 0x80) != 0;
        if (isMasked != masked) {
            throw new ProtocolViolation(1002, masked ? "frames from the browser must be masked" : "masked frame");
        }
        int len7 = b1 & 0x7F;
        if (opcode >= CLOSE && (len7 > 125 || (b0 & 0x80) == 0)) {
            throw new ProtocolViolation(1002, "control frames are whole and at most 125 bytes");
        }
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (isMasked ? 4 : 0);
    }

    private void headerEnded() throws ProtocolViolation {
        int opcode = header[0] & 0x0F;
        int len7 = header[1] & 0x7F;
        long length = len7;
        if (len7 == 126) {
            length = ((header[2] & 0xFFL) << 8) | (header[3] & 0xFFL);
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFFL);
            }
            if (length < 0) {
                throw new ProtocolViolation(1002, "frame length out of range");
            }
        }
        if (length > maxPayload) {
            throw new ProtocolViolation(1009, "frame too large");
        }
        int size = headerLength;
        headerLength = 0;
        headerNeeded = 2;
        if (opcode >= CLOSE) {
            controlHeader = size;
            control = Arrays.copyOf(header, size + (int) length);
            controlLength = size;
            if (controlLength == control.length) {
                controlEnded();
            }
            return;
        }
        listener.dataFrame(opcode, length);
        append(header, 0, size);
        payloadLeft = length;
        if (length == 0) {
            frameEnded();
        }
    }

    private void controlEnded() {
        byte[] frame = control;
        control = null;
        int opcode = frame[0] & 0x0F;
        byte[] payload = Arrays.copyOfRange(frame, controlHeader, frame.length);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= frame[controlHeader - 4 + (i & 3)];
            }
        }
        if (listener.controlFrame(opcode, payload)) {
            append(frame, 0, frame.length);
            if (opcode == CLOSE) {
                closeSent = true;
            }
        }
        frameEnded();
    }

    private void frameEnded() {
        if (!pending.isEmpty()) {
            appendPending();
        }
    }

    private void appendPending() {
        byte[] frame;
        while (!closeSent && (frame = pending.poll()) != null) {
            append(frame, 0, frame.length);
            if ((frame[0] & 0x0F) == CLOSE) {
                closeSent = true;
            }
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        if (outLength + length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + length));
        }
        System.arraycopy(bytes, offset, out, outLength, length);
        outLength += length;
    }

    private void flushOut() throws IOException {
        if (outLength > 0) {
            int n = outLength;
            outLength = 0;
            sink.write(out, 0, n);
            if (out.length > 65536) {
                out = new byte[OUT_SIZE]; // a burst of large frames does not keep its buffer
            }
        }
    }

    // ---- frames of the sidecar's own ----

    /** A control frame; masked when it goes to a server. */
    static byte[] controlFrame(int opcode, byte[] payload, boolean mask) {
        int length = Math.min(payload.length, 125);
        byte[] frame = new byte[2 + (mask ? 4 : 0) + length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) ((mask ? 0x80 : 0) | length);
        int at = 2;
        if (mask) {
            byte[] key = new byte[4];
            MASKS.nextBytes(key);
            System.arraycopy(key, 0, frame, 2, 4);
            at = 6;
            for (int i = 0; i < length; i++) {
                frame[at + i] = (byte) (payload[i] ^ key[i & 3]);
            }
        } else {
            System.arraycopy(payload, 0, frame, at, length);
        }
        return frame;
    }

    /** A close frame with a status code and a reason of at most 123 bytes. */
    static byte[] closeFrame(int status, String reason, boolean mask) {
        byte[] why = SocketBridge.shorten(reason).getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + why.length];
        payload[0] = (byte) (status >> 8);
        payload[1] = (byte) status;
        System.arraycopy(why, 0, payload, 2, why.length);
        return controlFrame(CLOSE, payload, mask);
    }
}
