package ai.coditect.knowledge;

import ai.coditect.functions.Platform;
import ai.coditect.functions.events.EventConsumer;
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
import com.google.cloud.storage.StorageOptions;

import java.nio.file.Path;

/**
 * The composition root of the knowledge functions, built once per instance on the platform's store, events and
 * authentication. Cloud Functions reach it through {@link #current()}; the local platform builds and installs it.
 */
public final class Knowledge implements AutoCloseable {
    private static final Object LOCK = new Object();
    private static volatile Knowledge current;

    private final KnowledgeConfig config;
    private final ModelTokens tokens;
    private final Embedder embedder;
    private final KnowledgeStore store;
    private final Indexer indexer;
    private final TenantIndexes indexes;
    private final KnowledgeService service;
    private final KnowledgeRoutes routes;
    private final EventConsumer indexConsumer;

    public Knowledge(Platform platform, KnowledgeConfig config, Embedder embedder) {
        this.config = config;
        this.tokens = ModelTokens.load();
        this.embedder = embedder;
        this.store = new KnowledgeStore(platform.database(), platform.keyspace(), platform.clock());
        Chunker chunker = new Chunker(tokens, config.chunkTokens(), config.overlapTokens());
        this.indexer = new Indexer(store, chunker, embedder, platform.clock(), PubSubTopology.MAX_DELIVERY_ATTEMPTS);
        this.indexes = new TenantIndexes(store, embedder.dimensions(), config.maxTenantsInMemory());
        HybridSearch search = new HybridSearch(store, indexes, embedder, KnowledgeService.PLATFORM_TENANT,
                KnowledgeService.PLATFORM_COLLECTION);
        this.service = new KnowledgeService(store, platform.outbox(), search, new ContextBuilder(search, tokens),
                backup(config.backup()), platform.clock());
        this.routes = new KnowledgeRoutes(service, platform.authRoutes(), new Uploads(config.limits()));
        this.indexConsumer = new EventConsumer("knowledge-index", indexer::handle);
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

    /** The installed instance, or one built on {@link Platform#current()} and the environment on first use. */
    public static Knowledge current() {
        Knowledge k = current;
        if (k != null) {
            return k;
        }
        synchronized (LOCK) {
            if (current == null) {
                KnowledgeConfig config = KnowledgeConfig.fromEnvironment(System.getenv());
                current = new Knowledge(Platform.current(), config, embedder(config));
            }
            return current;
        }
    }

    public static void install(Knowledge knowledge) {
        synchronized (LOCK) {
            current = knowledge;
        }
    }

    public static void uninstall(Knowledge knowledge) {
        synchronized (LOCK) {
            if (current == knowledge) {
                current = null;
            }
        }
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

    @Override
    public void close() {
        embedder.close();
        tokens.close();
    }
}
