package ai.coditect.knowledge;

import ai.coditect.functions.Defaults;
import ai.coditect.knowledge.ingest.IngestLimits;
import ai.coditect.shared.config.Environment;

import java.nio.file.Path;

/**
 * Everything the knowledge functions read from their environment, read once and validated (see the README's
 * configuration table), with a deployed function's or the local platform's {@link Defaults}.
 */
public record KnowledgeConfig(IngestLimits limits, String embedder, Vertex vertex, int chunkTokens, int overlapTokens,
                              int maxTenantsInMemory, Path platformDocs, String backup) {

    /** Vertex AI text embeddings: project, region, model, output dimensions, and the API endpoint. */
    public record Vertex(String project, String location, String model, int dimensions, String endpoint) {
    }

    public KnowledgeConfig {
        if (!embedder.equals("local") && !embedder.equals("vertex")) {
            throw new IllegalArgumentException("CODITECT_KNOWLEDGE_EMBEDDER is 'local' (bge-small-en-v1.5 in the JVM) "
                    + "or 'vertex' (Vertex AI text embeddings); got '" + embedder + "'. e.g. "
                    + "CODITECT_KNOWLEDGE_EMBEDDER=vertex");
        }
        if (embedder.equals("vertex") && (vertex.project() == null || vertex.project().isBlank())) {
            throw new IllegalArgumentException("Set CODITECT_GCP_PROJECT: Vertex AI embeddings need a project. "
                    + "e.g. CODITECT_GCP_PROJECT=coditect-prod");
        }
    }

    /**
     * The {@code CODITECT_KNOWLEDGE_*} variables; locally the repository's docs/ are the platform collection and
     * exports go to the data directory.
     */
    public static KnowledgeConfig read(Environment env, Defaults defaults) {
        Path platformDocs = defaults.dataDir() == null ? null : Path.of("docs");
        String backup = defaults.dataDir() == null ? null : defaults.dataDir().resolve("knowledge-exports").toString();
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
