package ai.coditect.knowledge.search;

import ai.coditect.knowledge.DocumentStatus;
import ai.coditect.knowledge.KnowledgeDocument;
import ai.coditect.knowledge.KnowledgeStore;
import ai.coditect.knowledge.index.Int8Vector;
import ai.coditect.knowledge.index.StoredChunk;
import ai.coditect.knowledge.index.Terms;
import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.KeyValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory vector and keyword indexes of each tenant this instance has served, filled by range reads of the
 * tenant's vectors and chunks on first use and kept current by reading the change log before every search (one
 * short range read when nothing changed). The least recently used tenants are dropped beyond a bound.
 */
public final class TenantIndexes {
    private static final int LOAD_PAGE = 2_000;
    private static final int LOG_PAGE = 1_000;

    private final KnowledgeStore store;
    private final int dims;
    private final Map<String, TenantIndex> tenants;

    public TenantIndexes(KnowledgeStore store, int dims, int maxTenants) {
        this.store = store;
        this.dims = dims;
        this.tenants = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TenantIndex> eldest) {
                return size() > maxTenants;
            }
        });
    }

    /** The tenant's index, loaded if this instance has not served it yet, and brought up to date. */
    public TenantIndex current(String tenantId) {
        TenantIndex index = tenants.computeIfAbsent(tenantId, TenantIndex::new);
        index.refresh();
        return index;
    }

    /** A document's place, for filters and citations. */
    public record DocumentInfo(String id, String collection, String path, String title) {
    }

    /** One tenant's vectors and the documents they belong to. */
    public final class TenantIndex {
        private final String tenantId;
        private volatile VectorIndex vectors;
        private volatile KeywordIndex keywords;
        private volatile Map<String, DocumentInfo> documents = new ConcurrentHashMap<>();
        private byte[] cursor;
        private boolean loaded;

        TenantIndex(String tenantId) {
            this.tenantId = tenantId;
        }

        public VectorIndex vectors() {
            return vectors;
        }

        public KeywordIndex keywords() {
            return keywords;
        }

        public DocumentInfo document(String id) {
            return documents.get(id);
        }

        public String tenantId() {
            return tenantId;
        }

        synchronized void refresh() {
            if (!loaded) {
                load();
                loaded = true;
            }
            catchUp();
        }

        private void load() {
            vectors = new VectorIndex(dims);
            keywords = new KeywordIndex();
            documents = new ConcurrentHashMap<>();
            // Read the log position first: changes after it are replayed, so nothing written during the load is lost.
            cursor = store.lastLogKey(tenantId);
            for (KnowledgeDocument d : store.documents(tenantId, null, Integer.MAX_VALUE)) {
                remember(d);
                if (d.status() != DocumentStatus.DELETING) {
                    store.chunks(tenantId, d.id()).values().forEach(c -> keywords.put(
                            new Keyspace.ChunkRef(d.id(), c.no()), Terms.frequencies(c.chunk().embeddingText())));
                }
            }
            byte[] after = null;
            while (true) {
                List<KeyValue> page = store.vectors(tenantId, after, LOAD_PAGE);
                for (KeyValue kv : page) {
                    vectors.put(store.vectorRef(tenantId, kv.getKey()), Int8Vector.decode(kv.getValue()));
                }
                if (page.size() < LOAD_PAGE) {
                    break;
                }
                after = page.getLast().getKey();
            }
            keywords.trimToSize();
        }

        private void catchUp() {
            while (true) {
                KnowledgeStore.LogPage page = store.logAfter(tenantId, cursor, LOG_PAGE);
                if (page.trimmedPast()) {
                    // changes this index has not seen were trimmed from the log: start again from the store
                    load();
                    continue;
                }
                List<KnowledgeStore.LogEntry> entries = page.entries();
                if (entries.isEmpty()) {
                    return;
                }
                Set<Keyspace.ChunkRef> refs = new LinkedHashSet<>();
                Set<String> docs = new LinkedHashSet<>();
                for (KnowledgeStore.LogEntry e : entries) {
                    refs.add(e.chunk());
                    docs.add(e.chunk().documentId());
                }
                for (String id : docs) {
                    store.document(tenantId, id).ifPresentOrElse(this::remember, () -> documents.remove(id));
                }
                Map<Keyspace.ChunkRef, StoredChunk> chunks = store.chunks(tenantId, new ArrayList<>(refs));
                for (Keyspace.ChunkRef ref : refs) {
                    StoredChunk c = chunks.get(ref);
                    if (c == null) {
                        keywords.remove(ref);
                    } else {
                        keywords.put(ref, Terms.frequencies(c.chunk().embeddingText()));
                    }
                }
                store.vectors(tenantId, new ArrayList<>(refs)).forEach((ref, v) -> {
                    if (v == null) {
                        vectors.remove(ref);
                    } else {
                        vectors.put(ref, v);
                    }
                });
                cursor = entries.getLast().key();
                if (entries.size() < LOG_PAGE) {
                    return;
                }
            }
        }

        private void remember(KnowledgeDocument d) {
            if (d.status() == DocumentStatus.DELETING) {
                documents.remove(d.id());
            } else {
                documents.put(d.id(), new DocumentInfo(d.id(), d.collection(), d.path(), d.title()));
            }
        }
    }
}
