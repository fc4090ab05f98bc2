package ai.coditect.knowledge.backup;

import java.util.Optional;

/** Where knowledge exports are kept: a Cloud Storage bucket in production, a folder on the local platform. */
public interface BackupStorage {
    /** A short description for logs and answers, e.g. {@code gs://bucket/prefix}. */
    String location();

    void write(String name, byte[] data);

    Optional<byte[]> read(String name);
}
