package ai.coditect.shared.store.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a data directory, held while the engine has it open, so that a second process (or a
 * second open in this one) gets a clear error instead of writing into the same log.
 *
 * <p>The OS lock belongs to the process, and closing <em>any</em> descriptor of the lock file drops it. So a
 * second open in the same process must be refused before it opens the file: directories locked by this
 * process are kept in {@link #HELD}.
 */
final class DirectoryLock implements AutoCloseable {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    static DirectoryLock acquire(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!HELD.add(real)) {
            throw new IllegalStateException("The data directory " + dir
                    + " is already open in this process; share the one Database instead of opening it twice.");
        }
        try {
            return lock(real);
        } catch (IOException | RuntimeException e) {
            HELD.remove(real);
            throw e;
        }
    }

    private static DirectoryLock lock(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("The data directory " + dir + " is in use by another process"
                        + readHolder(channel) + "; stop that process or choose another directory.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid())
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new DirectoryLock(dir, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close(); // no other channel of this process is open on the file: HELD saw to that
            throw e;
        }
    }

    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        int n = channel.read(buf, 0);
        String pid = n > 0 ? new String(buf.array(), 0, n, StandardCharsets.UTF_8).trim() : "";
        return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            try {
                channel.close();
            } finally {
                HELD.remove(dir);
            }
        }
    }
}
