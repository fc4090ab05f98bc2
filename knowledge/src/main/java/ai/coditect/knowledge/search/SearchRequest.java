package ai.coditect.knowledge.search;

/**
 * A search: the query, how many hits, optionally one collection, a path prefix or one document, and which
 * retrievers to use (hybrid unless measuring one of them alone).
 */
public record SearchRequest(String query, int k, String collection, String pathPrefix, String documentId,
                            Mode mode) {

    /** Which retrievers answer. */
    public enum Mode {
        HYBRID, VECTOR, KEYWORD
    }

    public static SearchRequest of(String query, int k) {
        return new SearchRequest(query, k, null, null, null, Mode.HYBRID);
    }
}
