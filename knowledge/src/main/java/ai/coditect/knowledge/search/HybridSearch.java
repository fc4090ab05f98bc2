package ai.coditect.knowledge.search;

import ai.coditect.knowledge.KnowledgeStore;
import ai.coditect.knowledge.embedding.Embedder;
import ai.coditect.knowledge.index.StoredChunk;
import ai.coditect.knowledge.index.Terms;
import ai.coditect.shared.store.Keyspace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hybrid retrieval: an exact scan of the int8 vectors and BM25 over the keyword postings, both held in memory per
 * tenant ({@link TenantIndexes}), fused by reciprocal rank fusion. A search reads the caller's tenant and the shared platform collection, never another tenant.
 */
public final class HybridSearch {
    /** The constant of reciprocal rank fusion (Cormack et al.): ranks matter, raw scores of either side do not. */
    static final int RRF_K = 60;
    /** How deep each retriever's list goes into the fusion. */
    static final int DEPTH = 50;
    private static final int MAX_QUERY_TERMS = 16;

    private final KnowledgeStore store;
    private final TenantIndexes indexes;
    private final Embedder embedder;
    private final String platformTenant;
    private final String platformCollection;

    public HybridSearch(KnowledgeStore store, TenantIndexes indexes, Embedder embedder, String platformTenant,
                        String platformCollection) {
        this.store = store;
        this.indexes = indexes;
        this.embedder = embedder;
        this.platformTenant = platformTenant;
        this.platformCollection = platformCollection;
    }

    private record Key(String tenantId, Keyspace.ChunkRef chunk) {
    }

    private record Ranked(Key key, double score) {
    }

    public List<SearchHit> search(String tenantId, SearchRequest request) {
        List<TenantIndexes.TenantIndex> scopes = new ArrayList<>();
        if (request.collection() == null || !request.collection().equals(platformCollection)) {
            scopes.add(indexes.current(tenantId));
        }
        if (!tenantId.equals(platformTenant)
                && (request.collection() == null || request.collection().equals(platformCollection))) {
            scopes.add(indexes.current(platformTenant));
        }
        int depth = Math.max(DEPTH, request.k());
        List<Ranked> vector = request.mode() == SearchRequest.Mode.KEYWORD ? List.of()
                : vectorSide(scopes, request, depth);
        List<Ranked> keyword = request.mode() == SearchRequest.Mode.VECTOR ? List.of()
                : keywordSide(scopes, request, depth);

        Map<Key, Double> fused = new LinkedHashMap<>();
        Map<Key, Set<String>> found = new HashMap<>();
        fuse(vector, "vector", fused, found);
        fuse(keyword, "keyword", fused, found);
        List<Map.Entry<Key, Double>> top = fused.entrySet().stream()
                .sorted(Map.Entry.<Key, Double>comparingByValue().reversed()).limit(request.k()).toList();
        return hits(scopes, top, found);
    }

    private static void fuse(List<Ranked> list, String retriever, Map<Key, Double> fused, Map<Key, Set<String>> found) {
        for (int rank = 0; rank < list.size(); rank++) {
            Key key = list.get(rank).key();
            fused.merge(key, 1.0 / (RRF_K + rank + 1), Double::sum);
            found.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(retriever);
        }
    }

    private VectorIndex.DocumentFilter filter(TenantIndexes.TenantIndex scope, SearchRequest request) {
        return id -> {
            TenantIndexes.DocumentInfo d = scope.document(id);
            return d != null
                    && (request.collection() == null || request.collection().equals(d.collection()))
                    && (request.pathPrefix() == null || d.path().startsWith(request.pathPrefix()))
                    && (request.documentId() == null || request.documentId().equals(d.id()));
        };
    }

    private List<Ranked> vectorSide(List<TenantIndexes.TenantIndex> scopes, SearchRequest request, int depth) {
        float[] q = embedder.embedQuery(request.query());
        List<Ranked> all = new ArrayList<>();
        for (TenantIndexes.TenantIndex scope : scopes) {
            for (VectorIndex.Scored s : scope.vectors().search(q, depth, filter(scope, request))) {
                all.add(new Ranked(new Key(scope.tenantId(), s.chunk()), s.score()));
            }
        }
        all.sort(Comparator.comparingDouble(Ranked::score).reversed());
        return all.size() > depth ? all.subList(0, depth) : all;
    }

    private List<Ranked> keywordSide(List<TenantIndexes.TenantIndex> scopes, SearchRequest request, int depth) {
        List<String> terms = Terms.frequencies(request.query()).keySet().stream().limit(MAX_QUERY_TERMS).toList();
        if (terms.isEmpty()) {
            return List.of();
        }
        List<Ranked> all = new ArrayList<>();
        for (TenantIndexes.TenantIndex scope : scopes) {
            for (KeywordIndex.Scored s : scope.keywords().search(terms, depth, filter(scope, request))) {
                all.add(new Ranked(new Key(scope.tenantId(), s.chunk()), s.score()));
            }
        }
        all.sort(Comparator.comparingDouble(Ranked::score).reversed());
        return all.size() > depth ? new ArrayList<>(all.subList(0, depth)) : all;
    }

    private List<SearchHit> hits(List<TenantIndexes.TenantIndex> scopes, List<Map.Entry<Key, Double>> top,
                                 Map<Key, Set<String>> found) {
        Map<String, List<Keyspace.ChunkRef>> byTenant = new LinkedHashMap<>();
        for (Map.Entry<Key, Double> e : top) {
            byTenant.computeIfAbsent(e.getKey().tenantId(), t -> new ArrayList<>()).add(e.getKey().chunk());
        }
        Map<Key, StoredChunk> chunks = new HashMap<>();
        byTenant.forEach((tenant, refs) -> store.chunks(tenant, refs)
                .forEach((ref, chunk) -> chunks.put(new Key(tenant, ref), chunk)));
        List<SearchHit> out = new ArrayList<>();
        for (Map.Entry<Key, Double> e : top) {
            StoredChunk c = chunks.get(e.getKey());
            TenantIndexes.DocumentInfo d = scopes.stream().filter(s -> s.tenantId().equals(e.getKey().tenantId()))
                    .findFirst().map(s -> s.document(e.getKey().chunk().documentId())).orElse(null);
            if (c == null || d == null) {
                continue; // removed between the scan and now
            }
            out.add(new SearchHit(d.id(), d.collection(), d.path(), d.title(), c.no(), c.start(), c.end(),
                    c.headingPath(), c.text(), e.getValue(), List.copyOf(found.get(e.getKey()))));
        }
        return out;
    }
}
