package ai.coditect.knowledge.ingest;

/**
 * How much one upload may hold: bytes of one document, bytes of an archive as sent, bytes of an archive once
 * unpacked (against archive bombs), and entries in an archive.
 */
public record IngestLimits(long maxDocumentBytes, long maxArchiveBytes, long maxUnpackedBytes, int maxEntries) {
    public static final IngestLimits DEFAULT = new IngestLimits(1 << 20, 20L << 20, 100L << 20, 2_000);

    public IngestLimits {
        if (maxDocumentBytes < 1 || maxDocumentBytes > 8L << 20) {
            throw new IllegalArgumentException("a document may be 1 byte to 8 MiB; got " + maxDocumentBytes);
        }
        if (maxArchiveBytes < 1 || maxUnpackedBytes < maxArchiveBytes || maxEntries < 1) {
            throw new IllegalArgumentException("archive limits must be positive, unpacked at least the archive size");
        }
    }
}
