package ai.coditect.knowledge.index;

import ai.coditect.knowledge.chunking.Chunk;

import java.util.List;

/** A chunk as the store keeps it: the chunk itself and its keyword length (the BM25 document length). */
public record StoredChunk(int no, int start, int end, List<String> headingPath, String text, int tokens,
                          String hash, int terms) {

    public static StoredChunk of(Chunk c, int terms) {
        return new StoredChunk(c.no(), c.start(), c.end(), c.headingPath(), c.text(), c.tokens(), c.hash(), terms);
    }

    public Chunk chunk() {
        return new Chunk(no, start, end, headingPath, text, tokens, hash);
    }
}
