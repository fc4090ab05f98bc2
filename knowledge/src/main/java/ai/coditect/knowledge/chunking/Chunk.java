package ai.coditect.knowledge.chunking;

import java.util.List;

/**
 * A passage of a document as it is embedded and cited: its number in the document, its character offsets in the
 * document's text ({@code start} inclusive, {@code end} exclusive), the headings or declarations it sits under,
 * its token count in the embedding model, and a hash of what is embedded, which decides whether it is re-embedded.
 */
public record Chunk(int no, int start, int end, List<String> headingPath, String text, int tokens, String hash) {
    public Chunk {
        headingPath = List.copyOf(headingPath);
    }

    /** What the embedding model reads: the heading path, then the text, so a passage keeps its context. */
    public String embeddingText() {
        return headingPath.isEmpty() ? text : String.join(" > ", headingPath) + "\n" + text;
    }
}
