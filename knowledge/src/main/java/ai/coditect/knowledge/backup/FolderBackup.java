package ai.coditect.knowledge.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** Exports as files in a folder: the local platform's stand-in for a bucket. */
public final class FolderBackup implements BackupStorage {
    private final Path root;

    public FolderBackup(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public void write(String name, byte[] data) {
        Path target = resolve(name);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".export", ".tmp");
            Files.write(tmp, data);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export " + target, e);
        }
    }

    @Override
    public Optional<byte[]> read(String name) {
        Path source = resolve(name);
        try {
            return Files.isRegularFile(source) ? Optional.of(Files.readAllBytes(source)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the export " + source, e);
        }
    }

    private Path resolve(String name) {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("an export name stays inside the backup folder");
        }
        return p;
    }
}
