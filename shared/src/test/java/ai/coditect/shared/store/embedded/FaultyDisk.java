package ai.coditect.shared.store.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link DiskIo} over the real file system that fails on purpose, and remembers what was fsynced so that a
 * power cut can be played afterwards: {@link #cutPower()} keeps of every file what was fsynced plus a random
 * prefix of the rest, in which, half of the time, a few bytes near its start read as zeros (a block that
 * never reached the disk while later ones did). Directory entries are taken as durable at once.
 * fsyncs are only recorded, not performed: the model decides what survives, and the tests stay fast.
 */
final class FaultyDisk implements DiskIo {
    /** What goes wrong at the armed operation. */
    enum Fault {
        /** The n-th write stores half of its bytes and fails (a full disk); the process carries on. */
        SHORT_WRITE,
        /** The n-th fsync (of a file or a directory) fails and makes nothing durable; the process carries on. */
        FAILED_FSYNC,
        /** The process stops at the n-th write or fsync: a random part of that write lands, nothing else does. */
        CRASH
    }

    private final Random random;
    private final Map<Path, Long> durableLength = new ConcurrentHashMap<>();
    private final List<Path> syncedDirectories = new CopyOnWriteArrayList<>();
    private Fault fault;
    private long armedAt;
    private long writes;
    private long fsyncs;
    private boolean crashed;

    FaultyDisk(long seed) {
        this.random = new Random(seed);
    }

    /** Makes the {@code n}-th operation from now that {@code fault} counts go wrong (1 = the next one). */
    synchronized FaultyDisk arm(Fault fault, long n) {
        this.fault = fault;
        this.armedAt = counted(fault) + n;
        return this;
    }

    synchronized long writes() {
        return writes;
    }

    synchronized long fsyncs() {
        return fsyncs;
    }

    synchronized boolean crashed() {
        return crashed;
    }

    List<Path> syncedDirectories() {
        return List.copyOf(syncedDirectories);
    }

    private long counted(Fault f) {
        return switch (f) {
            case SHORT_WRITE -> writes;
            case FAILED_FSYNC -> fsyncs;
            case CRASH -> writes + fsyncs;
        };
    }

    /** How many of {@code length} bytes the next write stores before it fails, or -1 when it succeeds. */
    private synchronized int beforeWrite(int length) throws IOException {
        checkAlive();
        writes++;
        if (fault == Fault.SHORT_WRITE && counted(fault) == armedAt) {
            return length / 2;
        }
        if (fault == Fault.CRASH && counted(fault) == armedAt) {
            crashed = true;
            return random.nextInt(length + 1);
        }
        return -1;
    }

    private synchronized void beforeFsync() throws IOException {
        checkAlive();
        fsyncs++;
        if (fault == Fault.FAILED_FSYNC && counted(fault) == armedAt) {
            throw new IOException("Input/output error (injected: fsync " + fsyncs + " fails)");
        }
        if (fault == Fault.CRASH && counted(fault) == armedAt) {
            crashed = true;
            checkAlive();
        }
    }

    private synchronized void checkAlive() throws IOException {
        if (crashed) {
            throw new IOException("the process stopped (injected crash)");
        }
    }

    /** After the database is closed: every file keeps what was fsynced and a random prefix of the rest. */
    synchronized void cutPower() throws IOException {
        for (Map.Entry<Path, Long> e : durableLength.entrySet()) {
            Path file = e.getKey();
            if (!Files.exists(file)) {
                continue;
            }
            long size = Files.size(file);
            long durable = e.getValue();
            if (size > durable) {
                long keep = Math.min(size, durable + (long) (random.nextDouble() * (size - durable + 1)));
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(keep);
                    if (keep > durable && random.nextBoolean()) {
                        // a block that never reached the disk, near the start of what was not fsynced, so that
                        // later records of the same batch may well have survived it
                        long from = durable + random.nextInt((int) Math.min(keep - durable, 64));
                        int length = (int) Math.min(keep - from, 1 + random.nextInt(64));
                        ch.write(ByteBuffer.allocate(length), from);
                    }
                }
            }
        }
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        checkAlive();
        FileChannel ch = FileChannel.open(file, options);
        if (Arrays.asList(options).contains(StandardOpenOption.WRITE)) {
            durableLength.putIfAbsent(file, Arrays.asList(options).contains(StandardOpenOption.TRUNCATE_EXISTING)
                    ? 0 : ch.size());
        }
        return new Channel(ch, file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        beforeFsync();
        syncedDirectories.add(dir);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        checkAlive();
        DiskIo.super.move(from, to);
        Long length = durableLength.remove(from);
        if (length != null) {
            durableLength.put(to, length);
        }
    }

    @Override
    public void delete(Path file) throws IOException {
        checkAlive();
        DiskIo.super.delete(file);
        durableLength.remove(file);
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
        checkAlive();
        DiskIo.super.createDirectory(dir);
    }

    /** A channel whose writes and fsyncs go through the disk's faults. */
    private final class Channel extends FileChannel {
        private final FileChannel real;
        private final Path file;

        Channel(FileChannel real, Path file) {
            this.real = real;
            this.file = file;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int stored = beforeWrite(src.remaining());
            if (stored < 0) {
                return real.write(src);
            }
            ByteBuffer part = src.slice(src.position(), stored);
            while (part.hasRemaining()) {
                real.write(part);
            }
            src.position(src.position() + stored);
            checkAlive();
            throw new IOException("No space left on device (injected: write " + writes() + " is short)");
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException("not used by the store: it only appends");
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            beforeFsync();
            durableLength.put(file, real.size());
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            checkAlive();
            real.truncate(size);
            durableLength.computeIfPresent(file, (f, length) -> Math.min(length, size));
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException("not used by the store");
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException("not used by the store");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException("not used by the store");
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException("not used by the store");
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
