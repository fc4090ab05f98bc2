package ai.coditect.knowledge;

import ai.coditect.knowledge.ingest.IngestLimits;
import ai.coditect.shared.config.Environment;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the knowledge functions read from their environment, read once and validated (see the README's
 * configuration table). {@link #fromEnvironment} gives production's defaults, {@link #local} the local platform's.
 */
public record KnowledgeConfig(IngestLimits limits, String embedder, Vertex vertex, int chunkTokens, int overlapTokens,
                              int maxTenantsInMemory, Path platformDocs, String backup) {

    /** Vertex AI text embeddings: project, region, model, output dimensions, and the API endpoint. */
    public record Vertex(String project, String location, String model, int dimensions, String endpoint) {
    }

    public KnowledgeConfig {
        if (!embedder.equals("local") && !embedder.equals("vertex")) {
            throw new IllegalArgumentException("CODITECT_KNOWLEDGE_EMBEDDER is 'local' (bge-small-en-v1.5 in the JVM) "
                    + "or 'vertex' (Vertex AI text embeddings); got '" + embedder + "'.");
        }
        if (embedder.equals("vertex") && (vertex.project() == null || vertex.project().isBlank())) {
            throw new IllegalArgumentException("Vertex AI embeddings need CODITECT_GCP_PROJECT.");
        }
    }

    public static KnowledgeConfig fromEnvironment(Map<String, String> values) {
        return build(values, null, null);
    }

    /** The local platform: the repository's docs/ as the platform collection, exports in the data directory. */
    public static KnowledgeConfig local(Map<String, String> values, Path dataDir) {
        return build(values, Path.of("docs"), dataDir.resolve("knowledge-exports").toString());
    }

    private static KnowledgeConfig build(Map<String, String> values, Path platformDocs, String backup) {
        Environment env = new Environment(values);
        String location = env.get("CODITECT_KNOWLEDGE_VERTEX_LOCATION", "us-central1");
        IngestLimits d = IngestLimits.DEFAULT;
        return new KnowledgeConfig(
                new IngestLimits(
                        env.integer("CODITECT_KNOWLEDGE_MAX_DOCUMENT_BYTES", (int) d.maxDocumentBytes()),
                        env.integer("CODITECT_KNOWLEDGE_MAX_ARCHIVE_BYTES", (int) d.maxArchiveBytes()),
                        env.integer("CODITECT_KNOWLEDGE_MAX_UNPACKED_BYTES", (int) d.maxUnpackedBytes()),
                        env.integer("CODITECT_KNOWLEDGE_MAX_ARCHIVE_ENTRIES", d.maxEntries())),
                env.get("CODITECT_KNOWLEDGE_EMBEDDER", "local"),
                new Vertex(env.get("CODITECT_GCP_PROJECT").or(() -> env.get("GOOGLE_CLOUD_PROJECT")).orElse(null),
                        location,
                        env.get("CODITECT_KNOWLEDGE_VERTEX_MODEL", "text-embedding-005"),
                        env.integer("CODITECT_KNOWLEDGE_VERTEX_DIMENSIONS", 768),
                        env.get("CODITECT_KNOWLEDGE_VERTEX_ENDPOINT", location + "-aiplatform.googleapis.com:443")),
                env.integer("CODITECT_KNOWLEDGE_CHUNK_TOKENS", 400),
                env.integer("CODITECT_KNOWLEDGE_CHUNK_OVERLAP", 32),
                env.integer("CODITECT_KNOWLEDGE_TENANTS_IN_MEMORY", 64),
                env.get("CODITECT_KNOWLEDGE_PLATFORM_DOCS").map(Path::of).orElse(platformDocs),
                env.get("CODITECT_KNOWLEDGE_BACKUP", backup));
    }
}
