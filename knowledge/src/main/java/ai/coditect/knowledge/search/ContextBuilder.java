package ai.coditect.knowledge.search;

import ai.coditect.knowledge.chunking.ModelTokens;

import java.util.ArrayList;
import java.util.List;

/**
 * The RAG step: the best passages for a question, each numbered and labelled with where it comes from, packed
 * into a token budget so a language model can answer from them and cite {@code [n]}.
 */
public final class ContextBuilder {
    private final HybridSearch search;
    private final ModelTokens tokens;

    public ContextBuilder(HybridSearch search, ModelTokens tokens) {
        this.search = search;
        this.tokens = tokens;
    }

    /** A citation of the context: its number and the passage it points at. */
    public record Citation(int n, String documentId, String collection, String path, int chunk, int start, int end,
                           List<String> headingPath) {
    }

    /** The assembled context, its size in tokens, and what each {@code [n]} refers to. */
    public record Context(String context, int tokens, List<Citation> citations) {
    }

    public Context build(String tenantId, String query, int budgetTokens, String collection) {
        List<SearchHit> hits = search.search(tenantId, new SearchRequest(query, 20, collection, null, null,
                SearchRequest.Mode.HYBRID));
        StringBuilder out = new StringBuilder();
        List<Citation> citations = new ArrayList<>();
        int used = 0;
        for (SearchHit h : hits) {
            int n = citations.size() + 1;
            String block = "[" + n + "] " + h.path() + (h.headingPath().isEmpty() ? "" : " — "
                    + String.join(" > ", h.headingPath())) + " (characters " + h.start() + "–" + h.end() + ")\n"
                    + h.text() + "\n\n";
            int cost = tokens.count(block);
            if (used + cost > budgetTokens) {
                continue; // a shorter passage further down may still fit
            }
            out.append(block);
            used += cost;
            citations.add(new Citation(n, h.documentId(), h.collection(), h.path(), h.chunk(), h.start(), h.end(),
                    h.headingPath()));
        }
        return new Context(out.toString().strip(), used, citations);
    }
}
