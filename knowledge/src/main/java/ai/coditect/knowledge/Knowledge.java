package ai.coditect.knowledge;

import ai.coditect.functions.Store;
import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.events.EventConsumer;
import ai.coditect.functions.events.Outbox;
import ai.coditect.functions.events.PubSubTopology;
import ai.coditect.knowledge.backup.BackupStorage;
import ai.coditect.knowledge.backup.CloudStorageBackup;
import ai.coditect.knowledge.backup.FolderBackup;
import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.ModelTokens;
import ai.coditect.knowledge.embedding.Embedder;
import ai.coditect.knowledge.embedding.LocalEmbedder;
import ai.coditect.knowledge.embedding.VertexEmbedder;
import ai.coditect.knowledge.index.Indexer;
import ai.coditect.knowledge.ingest.Uploads;
import ai.coditect.knowledge.search.ContextBuilder;
import ai.coditect.knowledge.search.HybridSearch;
import ai.coditect.knowledge.search.TenantIndexes;
import ai.coditect.shared.logging.LogFields;
import com.google.cloud.storage.StorageOptions;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The knowledge base wired on a store: the search and ingest service behind {@code /v1/knowledge/*}, and the
 * indexer that consumes {@code knowledge-index}. The local platform builds one on its store and session check;
 * each deployed function builds only its own half (see {@link KnowledgeFunction}, {@link KnowledgeIndexFunction}).
 */
public final class Knowledge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Knowledge.class.getName());

    private final KnowledgeConfig config;
    private final ModelTokens tokens;
    private final Embedder embedder;
    private final KnowledgeStore store;
    private final Indexer indexer;
    private final TenantIndexes indexes;
    private final KnowledgeService service;
    private final KnowledgeRoutes routes;
    private final EventConsumer indexConsumer;
    private volatile Thread platformDocs;

    /**
     * The whole knowledge base on {@code store}: its events leave through {@code outbox} (written in the transaction
     * of the change they announce), users are checked by {@code auth}.
     */
    public Knowledge(Store store, Outbox outbox, Authentication auth, Clock clock, KnowledgeConfig config,
                     Embedder embedder) {
        this.config = config;
        this.tokens = ModelTokens.load();
        this.embedder = embedder;
        this.store = new KnowledgeStore(store.database(), store.keyspace(), clock);
        this.indexer = indexer(this.store, tokens, config, embedder, clock);
        this.indexes = new TenantIndexes(this.store, embedder.dimensions(), config.maxTenantsInMemory());
        HybridSearch search = new HybridSearch(this.store, indexes, embedder, KnowledgeService.PLATFORM_TENANT,
                KnowledgeService.PLATFORM_COLLECTION);
        this.service = new KnowledgeService(this.store, outbox, search, new ContextBuilder(search, tokens),
                backup(config.backup()), clock);
        this.routes = new KnowledgeRoutes(service, auth, new Uploads(config.limits()));
        this.indexConsumer = new EventConsumer("knowledge-index", indexer::handle);
    }

    /** The indexer alone, for the index function: chunks with {@code tokens}, embeds with {@code embedder}. */
    static Indexer indexer(KnowledgeStore store, ModelTokens tokens, KnowledgeConfig config, Embedder embedder,
                           Clock clock) {
        Chunker chunker = new Chunker(tokens, config.chunkTokens(), config.overlapTokens());
        return new Indexer(store, chunker, embedder, clock, PubSubTopology.MAX_DELIVERY_ATTEMPTS);
    }

    /** The embedder that the configuration names. */
    public static Embedder embedder(KnowledgeConfig config) {
        if (config.embedder().equals("vertex")) {
            KnowledgeConfig.Vertex v = config.vertex();
            return VertexEmbedder.connect(v.project(), v.location(), v.model(), v.dimensions(), v.endpoint());
        }
        return new LocalEmbedder(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    private static BackupStorage backup(String location) {
        if (location == null || location.isBlank()) {
            return null;
        }
        if (location.startsWith("gs://")) {
            return CloudStorageBackup.of(StorageOptions.getDefaultInstance().getService(), location);
        }
        return new FolderBackup(Path.of(location));
    }

    public KnowledgeConfig config() {
        return config;
    }

    public KnowledgeStore store() {
        return store;
    }

    public KnowledgeService service() {
        return service;
    }

    public KnowledgeRoutes routes() {
        return routes;
    }

    public Indexer indexer() {
        return indexer;
    }

    public TenantIndexes indexes() {
        return indexes;
    }

    public Embedder embedder() {
        return embedder;
    }

    public ModelTokens tokens() {
        return tokens;
    }

    public EventConsumer indexConsumer() {
        return indexConsumer;
    }

    /**
     * Submits the configured platform docs folder to the shared {@code platform-docs} collection in the background
     * (unchanged files cost nothing), so that the function or platform answers meanwhile; empty when none is
     * configured. Locally the folder is the repository's {@code docs/}; deployed, the copy in the knowledge image.
     */
    public Optional<Thread> submitPlatformDocs() {
        Path folder = config.platformDocs();
        if (folder == null) {
            return Optional.empty();
        }
        platformDocs = Thread.ofVirtual().name("coditect-platform-docs").start(() -> {
            try {
                int changed = service.indexPlatformDocs(folder);
                LogFields.of("folder", folder.toAbsolutePath().toString(), "changed", changed)
                        .log(LOG, Level.INFO, "platform docs submitted");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not submit the platform docs", e);
            }
        });
        return Optional.of(platformDocs);
    }

    /** The background submission of the platform docs, once started. */
    public Optional<Thread> platformDocsSubmission() {
        return Optional.ofNullable(platformDocs);
    }

    @Override
    public void close() {
        Thread docs = platformDocs;
        if (docs != null) {
            docs.interrupt();
        }
        embedder.close();
        tokens.close();
    }
}
