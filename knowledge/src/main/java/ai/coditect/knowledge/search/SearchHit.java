package ai.coditect.knowledge.search;

import java.util.List;

/**
 * One passage found: its document and chunk, where it sits in the document (character offsets and heading path),
 * its text, the fused score and which retrievers found it.
 */
public record SearchHit(String documentId, String collection, String path, String title, int chunk, int start,
                        int end, List<String> headingPath, String text, double score, List<String> retrievers) {
}
