package ai.coditect.shared.store.embedded;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The durability of the embedded engine on a directory: a write-ahead log in segments ({@code wal-<first
 * version>.log}) of checksummed records, written by one thread that fsyncs each batch of commits before any
 * of them is acknowledged (group commit), and periodic snapshots ({@code snapshot-<version>.snap}) after which
 * the log segments they cover are deleted.
 *
 * <p>Record frame: payload length (int), CRC32C of length and payload (int), payload ({@link LogRecord}).
 * Recovery loads the newest snapshot, replays newer records, and cuts off a torn or corrupt tail of the last
 * segment — what a crash in the middle of a write leaves behind, and never an acknowledged commit.
 */
final class WriteAheadLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WriteAheadLog.class.getName());
    private static final String SEGMENT_PREFIX = "wal-";
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String SNAPSHOT_PREFIX = "snapshot-";
    private static final String SNAPSHOT_SUFFIX = ".snap";
    private static final long SNAPSHOT_MAGIC = 0x434f44534e415031L; // "CODSNAP1"
    private static final int MAX_RECORD_BYTES = 64 << 20;

    private final Path dir;
    private final long segmentLimit;
    private final VersionedStore store;
    private final LongConsumer onDurable;
    private final Executor executor;
    private final Thread writer;
    private final List<Pending> queue = new ArrayList<>();
    private FileChannel segment;
    private long segmentBytes;
    private boolean closing;
    private IOException failure;
    private volatile Thread snapshotter;

    private record Pending(long version, byte[] payload, CompletableFuture<Long> done) {
    }

    private WriteAheadLog(Path dir, long segmentLimit, VersionedStore store, long lastVersion, LongConsumer onDurable,
                          Executor executor) throws IOException {
        this.dir = dir;
        this.segmentLimit = segmentLimit;
        this.store = store;
        this.onDurable = onDurable;
        this.executor = executor;
        openSegment(lastVersion + 1);
        this.writer = Thread.ofPlatform().daemon().name("coditect-store-log-" + dir.getFileName())
                .unstarted(this::writeLoop);
    }

    /** Recovers the directory into {@code store}, then opens the log for new commits after the recovered ones. */
    static WriteAheadLog open(Path dir, long segmentLimit, VersionedStore store, LongConsumer onRecovered,
                              LongConsumer onDurable, Executor executor) throws IOException {
        long last = recover(dir, store);
        onRecovered.accept(last);
        WriteAheadLog log = new WriteAheadLog(dir, segmentLimit, store, last, onDurable, executor);
        log.writer.start();
        return log;
    }

    /** Queues a commit; {@code done} completes once it is on disk. Called in version order. */
    void append(long version, byte[] payload, CompletableFuture<Long> done) {
        synchronized (queue) {
            if (failure != null || closing) {
                done.completeExceptionally(FdbErrors.error(FdbErrors.IO_ERROR));
                return;
            }
            queue.add(new Pending(version, payload, done));
            queue.notifyAll();
        }
    }

    private void writeLoop() {
        while (true) {
            List<Pending> batch;
            synchronized (queue) {
                while (queue.isEmpty() && !closing) {
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>(queue);
                queue.clear();
            }
            long durable = batch.getLast().version();
            try {
                write(batch);
            } catch (IOException e) {
                LOG.log(Level.SEVERE, "the store's log could not be written; no further commit is accepted", e);
                synchronized (queue) {
                    failure = e;
                    for (Pending p : queue) {
                        p.done().completeExceptionally(FdbErrors.error(FdbErrors.IO_ERROR));
                    }
                    queue.clear();
                }
                for (Pending p : batch) {
                    p.done().completeExceptionally(FdbErrors.error(FdbErrors.IO_ERROR));
                }
                return;
            }
            onDurable.accept(durable);
            for (Pending p : batch) {
                executor.execute(() -> p.done().complete(p.version()));
            }
            if (segmentBytes >= segmentLimit && snapshotter == null) {
                startSnapshot(durable);
            }
        }
    }

    private void write(List<Pending> batch) throws IOException {
        int size = 0;
        for (Pending p : batch) {
            size += 8 + p.payload().length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        CRC32C crc = new CRC32C();
        for (Pending p : batch) {
            crc.reset();
            byte[] len = ByteBuffer.allocate(4).putInt(p.payload().length).array();
            crc.update(len);
            crc.update(p.payload());
            buf.put(len).putInt((int) crc.getValue()).put(p.payload());
        }
        buf.flip();
        while (buf.hasRemaining()) {
            segment.write(buf);
        }
        segment.force(false);
        segmentBytes += size;
    }

    private void openSegment(long firstVersion) throws IOException {
        Path path = dir.resolve(segmentName(firstVersion));
        segment = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        segment.position(segment.size());
        segmentBytes = segment.size();
        syncDirectory(dir);
    }

    /** Starts a new segment after {@code version} and writes a snapshot at it in the background. */
    private void startSnapshot(long version) {
        try {
            segment.close();
            openSegment(version + 1);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not start a new log segment; the snapshot is skipped", e);
            return;
        }
        store.pin(version);
        Thread t = Thread.ofPlatform().daemon().name("coditect-store-snapshot").unstarted(() -> {
            try {
                writeSnapshot(version);
                deleteCoveredFiles(version);
            } catch (IOException | UncheckedIOException e) {
                LOG.log(Level.WARNING, "snapshot at version " + version + " failed; the log keeps everything", e);
            } finally {
                store.unpin();
                snapshotter = null;
            }
        });
        snapshotter = t;
        t.start();
    }

    private void writeSnapshot(long version) throws IOException {
        Path tmp = dir.resolve(SNAPSHOT_PREFIX + pad(version) + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32C crc = new CRC32C();
            OutputStream raw = Channels.newOutputStream(ch);
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                    new BufferedOutputStream(raw, 1 << 16), crc));
            out.writeLong(SNAPSHOT_MAGIC);
            out.writeLong(version);
            long count = 0;
            for (Iterator<Map.Entry<byte[], byte[]>> it = store.snapshotAt(version); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                out.writeInt(e.getKey().length);
                out.write(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
                count++;
            }
            out.writeInt(-1);
            out.writeLong(count);
            out.flush();
            int checksum = (int) crc.getValue();
            out.writeInt(checksum);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(snapshotName(version)), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
    }

    private void deleteCoveredFiles(long version) throws IOException {
        for (Path p : list(dir, SEGMENT_PREFIX, SEGMENT_SUFFIX)) {
            if (versionOf(p, SEGMENT_PREFIX, SEGMENT_SUFFIX) <= version) {
                Files.deleteIfExists(p);
            }
        }
        for (Path p : list(dir, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX)) {
            if (versionOf(p, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX) < version) {
                Files.deleteIfExists(p);
            }
        }
        syncDirectory(dir);
    }

    @Override
    public void close() throws IOException {
        synchronized (queue) {
            closing = true;
            queue.notifyAll();
        }
        try {
            writer.join();
            Thread t = snapshotter;
            if (t != null) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        segment.close();
    }

    // ---- recovery ----

    private static long recover(Path dir, VersionedStore store) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.delete(p);
            }
        }
        long version = 0;
        List<Path> snapshots = list(dir, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX);
        if (!snapshots.isEmpty()) {
            version = loadSnapshot(snapshots.getLast(), store);
        }
        List<Path> segments = list(dir, SEGMENT_PREFIX, SEGMENT_SUFFIX);
        for (int i = 0; i < segments.size(); i++) {
            version = replay(segments.get(i), store, version, i == segments.size() - 1);
        }
        return version;
    }

    private static long loadSnapshot(Path file, VersionedStore store) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new CheckedInputStream(new BufferedInputStream(raw, 1 << 16),
                     crc))) {
            if (in.readLong() != SNAPSHOT_MAGIC) {
                throw corrupt(file, "it is not a snapshot of the embedded engine");
            }
            long version = in.readLong();
            long count = 0;
            for (int keyLength = in.readInt(); keyLength >= 0; keyLength = in.readInt()) {
                byte[] key = in.readNBytes(keyLength);
                byte[] value = in.readNBytes(in.readInt());
                store.recover(key, value, version);
                count++;
            }
            if (in.readLong() != count) {
                throw corrupt(file, "its entry count does not match");
            }
            int expected = (int) crc.getValue();
            if (in.readInt() != expected) {
                throw corrupt(file, "its checksum does not match");
            }
            return version;
        } catch (EOFException e) {
            throw corrupt(file, "it ends early");
        }
    }

    /** Replays one segment; a bad record ends the segment, and is only acceptable as the tail of the last one. */
    private static long replay(Path file, VersionedStore store, long after, boolean last) throws IOException {
        long version = after;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(8);
            CRC32C crc = new CRC32C();
            while (pos < size) {
                byte[] payload = readRecord(ch, pos, size, header, crc);
                if (payload == null) {
                    if (!last) {
                        throw corrupt(file, "a record at offset " + pos + " is damaged and newer segments follow");
                    }
                    LOG.warning(() -> "cutting off an incomplete record at the end of " + file.getFileName()
                            + " (left by a crash during a write; it was never acknowledged)");
                    ch.truncate(pos);
                    ch.force(true);
                    break;
                }
                LogRecord record = LogRecord.decode(payload);
                if (record.version() > version) {
                    for (LogRecord.Effect e : record.effects()) {
                        if (e.isSet()) {
                            store.recover(e.key(), e.value(), record.version());
                        } else {
                            store.recoverClearRange(e.key(), e.end());
                        }
                    }
                    version = record.version();
                }
                pos += 8 + payload.length;
            }
        }
        return version;
    }

    private static byte[] readRecord(FileChannel ch, long pos, long size, ByteBuffer header, CRC32C crc)
            throws IOException {
        if (size - pos < 8) {
            return null;
        }
        header.clear();
        readFully(ch, header, pos);
        int length = header.getInt(0);
        if (length < 12 || length > MAX_RECORD_BYTES || size - pos - 8 < length) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, pos + 8);
        crc.reset();
        crc.update(header.array(), 0, 4);
        crc.update(payload.array());
        return (int) crc.getValue() == header.getInt(4) ? payload.array() : null;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new EOFException();
            }
        }
    }

    private static IllegalStateException corrupt(Path file, String why) {
        return new IllegalStateException("The store file " + file + " is corrupt: " + why
                + ". Restore the data directory from a backup.");
    }

    // ---- file names ----

    private static List<Path> list(Path dir, String prefix, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(suffix);
            }).sorted(Comparator.comparingLong(p -> versionOf(p, prefix, suffix))).toList();
        }
    }

    private static long versionOf(Path p, String prefix, String suffix) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(prefix.length(), n.length() - suffix.length()));
    }

    private static String segmentName(long firstVersion) {
        return SEGMENT_PREFIX + pad(firstVersion) + SEGMENT_SUFFIX;
    }

    private static String snapshotName(long version) {
        return SNAPSHOT_PREFIX + pad(version) + SNAPSHOT_SUFFIX;
    }

    private static String pad(long version) {
        return String.format("%020d", version);
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
