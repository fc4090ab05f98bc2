package ai.coditect.knowledge.backup;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;

import java.util.Optional;

/** Exports as objects in a Cloud Storage bucket, through Google's official client. */
public final class CloudStorageBackup implements BackupStorage {
    private final Storage storage;
    private final String bucket;
    private final String prefix;

    public CloudStorageBackup(Storage storage, String bucket, String prefix) {
        this.storage = storage;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix)
                : prefix + "/";
    }

    /** From a {@code gs://bucket/prefix} location. */
    public static CloudStorageBackup of(Storage storage, String location) {
        String rest = location.substring("gs://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new CloudStorageBackup(storage, rest, "")
                : new CloudStorageBackup(storage, rest.substring(0, slash), rest.substring(slash + 1));
    }

    @Override
    public String location() {
        return "gs://" + bucket + "/" + prefix;
    }

    @Override
    public void write(String name, byte[] data) {
        storage.create(BlobInfo.newBuilder(BlobId.of(bucket, prefix + name)).setContentType("application/gzip")
                .build(), data);
    }

    @Override
    public Optional<byte[]> read(String name) {
        Blob blob = storage.get(BlobId.of(bucket, prefix + name));
        return blob == null ? Optional.empty() : Optional.of(blob.getContent());
    }
}
