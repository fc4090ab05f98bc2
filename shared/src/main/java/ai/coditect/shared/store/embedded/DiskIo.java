package ai.coditect.shared.store.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The disk operations behind the write-ahead log and the snapshots, in one place so that tests can make a write
 * short, an fsync fail, or the process stop at any one of them. Writes and fsyncs go through the channels that
 * {@link #open} returns.
 */
interface DiskIo {
    /** The real file system. */
    DiskIo REAL = new DiskIo() {
    };

    default FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, options);
    }

    /** Makes the entries of {@code dir} (files created, renamed or deleted in it) durable. */
    default void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    default void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    default void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    default void createDirectory(Path dir) throws IOException {
        Files.createDirectory(dir);
    }

    /**
     * Creates {@code dir} and any missing parents, each made durable in its parent before the next is created,
     * so that a crash right after the first commit cannot lose the directory that holds it.
     */
    static void createDirectories(DiskIo io, Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(io, parent);
        }
        try {
            io.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
        if (parent != null) {
            io.syncDirectory(parent);
        }
    }
}
