package ai.coditect.shared.store.embedded;

import com.apple.foundationdb.FDBException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Record frame: header (int: payload length, high bit set when the record continues the batch written with
 * the one before it), CRC32C of header and payload (int), payload ({@link LogRecord}). Recovery loads the
 * newest snapshot and replays newer records. Only the batch being written when the process stopped can be
 * damaged without a disk fault, and it was never acknowledged: damage in the last segment after which no new
 * batch starts is cut off. Damage anywhere else would lose acknowledged commits if skipped, so it is reported.
 *
 * <p>A failed write or fsync fails the commits of that batch with {@code commit_unknown_result} (1021: the
 * records may or may not be on disk) and every later commit with {@code io_error} (1510), until the database
 * is reopened: the engine never writes after a record it could not make durable, so that record is at worst a
 * torn tail, and a commit it refused never shows up after a restart.
 */
final class WriteAheadLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WriteAheadLog.class.getName());
    private static final String SEGMENT_PREFIX = "wal-";
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String SNAPSHOT_PREFIX = "snapshot-";
    private static final String SNAPSHOT_SUFFIX = ".snap";
    private static final long SNAPSHOT_MAGIC = 0x434f44534e415031L; // "CODSNAP1"
    /** Records the reader accepts, and so the writer: a transaction is at most 10 MB, its record about that. */
    static final int MAX_RECORD_BYTES = 64 << 20;
    private static final int CONTINUES_BATCH = 0x8000_0000;
    private static final int FRAME_BYTES = 8;
    /** Bytes of records written and fsynced at once, at most (or the one record, if larger). */
    private static final int BATCH_BYTES = 16 << 20;

    private final Path dir;
    private final long segmentLimit;
    private final VersionedStore store;
    private final LongConsumer onDurable;
    private final Executor executor;
    private final DiskIo io;
    private final Thread writer;
    private final List<Pending> queue = new ArrayList<>();
    private FileChannel segment;
    private long segmentBytes;
    private long lastDurable;
    private boolean closing;
    /** Why the log accepts no more commits; guarded by {@link #queue}. */
    private String failure;
    private volatile Thread snapshotter;

    private record Pending(long version, byte[] payload, CompletableFuture<Long> done) {
    }

    private WriteAheadLog(Path dir, long segmentLimit, VersionedStore store, long lastVersion, LongConsumer onDurable,
                          Executor executor, DiskIo io) throws IOException {
        this.dir = dir;
        this.segmentLimit = segmentLimit;
        this.store = store;
        this.onDurable = onDurable;
        this.executor = executor;
        this.io = io;
        this.lastDurable = lastVersion;
        this.segment = openSegment(lastVersion + 1);
        this.segmentBytes = segment.size();
        this.writer = Thread.ofPlatform().daemon().name("coditect-store-log-" + dir.getFileName())
                .unstarted(this::writeLoop);
    }

    /** Recovers the directory into {@code store}, then opens the log for new commits after the recovered ones. */
    static WriteAheadLog open(Path dir, long segmentLimit, VersionedStore store, LongConsumer onRecovered,
                              LongConsumer onDurable, Executor executor, DiskIo io) throws IOException {
        long last = recover(dir, store, io);
        onRecovered.accept(last);
        WriteAheadLog log = new WriteAheadLog(dir, segmentLimit, store, last, onDurable, executor, io);
        log.writer.start();
        return log;
    }

    /** True when the reader accepts a record payload of {@code length} bytes. */
    static boolean readable(int length) {
        return length >= LogRecord.EMPTY_BYTES && length <= MAX_RECORD_BYTES;
    }

    /**
     * Queues a commit; {@code done} completes once it is on disk. Called in version order, after the commit was
     * applied in memory: a commit refused here must stop all later ones, or they would make it visible.
     */
    void append(long version, byte[] payload, CompletableFuture<Long> done) {
        synchronized (queue) {
            if (failure != null || closing) {
                done.completeExceptionally(refused());
                return;
            }
            if (!readable(payload.length)) {
                failure = "a commit produced a log record of " + payload.length + " bytes, more than the "
                        + MAX_RECORD_BYTES + " the log can read back";
                LOG.severe(() -> "the store's log refused a record; no further commit is accepted until the "
                        + "database is reopened: " + failure);
                done.completeExceptionally(FdbErrors.error(FdbErrors.TRANSACTION_TOO_LARGE));
                return;
            }
            queue.add(new Pending(version, payload, done));
            queue.notifyAll();
        }
    }

    private FDBException refused() {
        String why = failure != null ? failure : "the database is closing";
        return new FDBException(FdbErrors.message(FdbErrors.IO_ERROR) + ": the store's log accepts no more "
                + "commits (" + why + "); reopen the database", FdbErrors.IO_ERROR);
    }

    private void writeLoop() {
        while (true) {
            List<Pending> batch = nextBatch();
            if (batch == null) {
                return;
            }
            try {
                write(batch);
            } catch (IOException | RuntimeException e) {
                fail(batch, e);
                return;
            }
            lastDurable = batch.getLast().version();
            onDurable.accept(lastDurable);
            for (Pending p : batch) {
                executor.execute(() -> p.done().complete(p.version()));
            }
        }
    }

    /** The next commits to write, or null once closing with nothing left. */
    private List<Pending> nextBatch() {
        synchronized (queue) {
            while (queue.isEmpty() && !closing) {
                try {
                    queue.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            if (queue.isEmpty()) {
                return null;
            }
            int n = 1;
            long bytes = queue.getFirst().payload().length;
            while (n < queue.size() && bytes + queue.get(n).payload().length <= BATCH_BYTES) {
                bytes += queue.get(n++).payload().length;
            }
            List<Pending> taken = queue.subList(0, n);
            List<Pending> batch = new ArrayList<>(taken);
            taken.clear();
            return batch;
        }
    }

    /**
     * After a failed write or fsync the batch may or may not be on disk. The commits queued behind it were not
     * written, but they fail the same way: callers treat both alike (retry, and find out by reading).
     */
    private void fail(List<Pending> batch, Exception e) {
        LOG.log(Level.SEVERE, "the store's log could not be written; no further commit is accepted until the "
                + "database is reopened", e);
        List<Pending> unknown = new ArrayList<>(batch);
        synchronized (queue) {
            failure = "writing the log failed: " + e;
            unknown.addAll(queue);
            queue.clear();
        }
        for (Pending p : unknown) {
            p.done().completeExceptionally(FdbErrors.error(FdbErrors.COMMIT_UNKNOWN_RESULT));
        }
    }

    private void write(List<Pending> batch) throws IOException {
        if (segmentBytes >= segmentLimit && snapshotter == null) {
            startSnapshot();
        }
        List<byte[]> payloads = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            payloads.add(p.payload());
        }
        ByteBuffer buf = frames(payloads);
        int size = buf.remaining();
        while (buf.hasRemaining()) {
            segment.write(buf);
        }
        segment.force(false);
        segmentBytes += size;
    }

    /** One batch of records as written: the first starts the batch, the others continue it. */
    static ByteBuffer frames(List<byte[]> payloads) {
        long size = 0;
        for (byte[] p : payloads) {
            size += FRAME_BYTES + p.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
        CRC32C crc = new CRC32C();
        boolean first = true;
        for (byte[] payload : payloads) {
            int header = payload.length | (first ? 0 : CONTINUES_BATCH);
            byte[] headerBytes = ByteBuffer.allocate(4).putInt(header).array();
            crc.reset();
            crc.update(headerBytes);
            crc.update(payload);
            buf.put(headerBytes).putInt((int) crc.getValue()).put(payload);
            first = false;
        }
        return buf.flip();
    }

    private FileChannel openSegment(long firstVersion) throws IOException {
        Path path = dir.resolve(segmentName(firstVersion));
        FileChannel ch = io.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            ch.position(ch.size());
            io.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /**
     * Starts a new segment after the last durable version and writes a snapshot at that version in the
     * background. A failure to start the segment fails the batch about to be written, which was not.
     */
    private void startSnapshot() throws IOException {
        long version = lastDurable;
        FileChannel next = openSegment(version + 1);
        FileChannel previous = segment;
        segment = next;
        segmentBytes = next.size();
        try {
            previous.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing a full log segment failed; its records were already fsynced", e);
        }
        store.pin(version);
        Thread t = Thread.ofPlatform().daemon().name("coditect-store-snapshot").unstarted(() -> {
            try {
                writeSnapshot(version);
                deleteCoveredFiles(version);
            } catch (IOException | RuntimeException e) {
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
        try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
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
        io.move(tmp, dir.resolve(snapshotName(version)));
        io.syncDirectory(dir);
    }

    private void deleteCoveredFiles(long version) throws IOException {
        for (Path p : list(dir, SEGMENT_PREFIX, SEGMENT_SUFFIX)) {
            if (versionOf(p, SEGMENT_PREFIX, SEGMENT_SUFFIX) <= version) {
                io.delete(p);
            }
        }
        for (Path p : list(dir, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX)) {
            if (versionOf(p, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX) < version) {
                io.delete(p);
            }
        }
        io.syncDirectory(dir);
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

    private static long recover(Path dir, VersionedStore store, DiskIo io) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
                io.delete(p);
            }
        }
        long version = 0;
        List<Path> snapshots = list(dir, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX);
        if (!snapshots.isEmpty()) {
            version = loadSnapshot(snapshots.getLast(), store, io);
        }
        List<Path> segments = list(dir, SEGMENT_PREFIX, SEGMENT_SUFFIX);
        for (int i = 0; i < segments.size(); i++) {
            version = replay(segments.get(i), store, version, i == segments.size() - 1, io);
        }
        return version;
    }

    private static long loadSnapshot(Path file, VersionedStore store, DiskIo io) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream raw = Channels.newInputStream(io.open(file, StandardOpenOption.READ));
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

    /**
     * Replays one segment. A damaged record is cut off only at the end of the last segment and only when no
     * batch starts after it: then it belongs to the batch whose write a crash interrupted, never acknowledged.
     */
    private static long replay(Path file, VersionedStore store, long after, boolean last, DiskIo io)
            throws IOException {
        long version = after;
        try (FileChannel ch = io.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(FRAME_BYTES);
            CRC32C crc = new CRC32C();
            while (pos < size) {
                byte[] payload = readRecord(ch, pos, size, header, crc);
                if (payload == null) {
                    if (!last) {
                        throw corrupt(file, "the record at offset " + pos + " is damaged and newer segments follow");
                    }
                    long next = nextBatchStart(ch, pos + 1, size, crc);
                    if (next >= 0) {
                        throw corrupt(file, "the record at offset " + pos + " is damaged and intact records "
                                + "follow it (a batch starts at offset " + next + ")");
                    }
                    long cut = pos;
                    LOG.warning(() -> "cutting off an incomplete record at offset " + cut + " of "
                            + file.getFileName() + " (left by a crash during a write; it was never acknowledged)");
                    ch.truncate(pos);
                    ch.force(true);
                    break;
                }
                LogRecord record;
                try {
                    record = LogRecord.decode(payload);
                } catch (RuntimeException e) {
                    throw corrupt(file, "the record at offset " + pos + " has a valid checksum but cannot be read ("
                            + e + ")");
                }
                if (record.version() > version) {
                    for (LogRecord.Effect e : record.effects()) {
                        e.replay(store, record.version());
                    }
                    version = record.version();
                }
                pos += FRAME_BYTES + payload.length;
            }
        }
        return version;
    }

    private static byte[] readRecord(FileChannel ch, long pos, long size, ByteBuffer header, CRC32C crc)
            throws IOException {
        if (size - pos < FRAME_BYTES) {
            return null;
        }
        header.clear();
        readFully(ch, header, pos);
        int length = header.getInt(0) & ~CONTINUES_BATCH;
        if (!readable(length) || size - pos - FRAME_BYTES < length) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, pos + FRAME_BYTES);
        crc.reset();
        crc.update(header.array(), 0, 4);
        crc.update(payload.array());
        return (int) crc.getValue() == header.getInt(4) ? payload.array() : null;
    }

    /**
     * The offset of the first intact record at or after {@code from} that starts a batch, or -1. Every byte
     * offset is tried, since the damaged record's length cannot be trusted.
     */
    private static long nextBatchStart(FileChannel ch, long from, long size, CRC32C crc) throws IOException {
        long span = Math.min(size - from, Integer.MAX_VALUE);
        if (span < FRAME_BYTES) {
            return -1;
        }
        MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, from, span);
        for (int o = 0; o + FRAME_BYTES + LogRecord.EMPTY_BYTES <= span; o++) {
            int header = map.getInt(o);
            if ((header & CONTINUES_BATCH) != 0 || !readable(header) || o + (long) FRAME_BYTES + header > span
                    || !LogRecord.plausible(map, o + FRAME_BYTES, header)) {
                continue;
            }
            crc.reset();
            crc.update(map.slice(o, 4));
            crc.update(map.slice(o + FRAME_BYTES, header));
            if ((int) crc.getValue() == map.getInt(o + 4)) {
                return from + o;
            }
        }
        return -1;
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
}
