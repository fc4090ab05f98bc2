package ai.coditect.shared.store.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory, held while the engine has it open, so that a second process (or a
 * second open in this one) gets a clear error instead of writing into the same log.
 */
final class DirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DirectoryLock acquire(Path dir) throws IOException {
        Path file = dir.resolve("LOCK");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IllegalStateException("The data directory " + dir
                    + " is already open in this process; share the one Database instead of opening it twice.");
        }
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new IllegalStateException("The data directory " + dir + " is in use by another process"
                    + holder + "; stop that process or choose another directory.");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)),
                0);
        channel.force(true);
        return new DirectoryLock(channel, lock);
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
            channel.close();
        }
    }
}
