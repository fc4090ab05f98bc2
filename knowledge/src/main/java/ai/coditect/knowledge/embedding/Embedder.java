package ai.coditect.knowledge.embedding;

import java.util.List;

/**
 * The one port to an embedding model. Passages and queries are embedded differently (bge adds an instruction to
 * queries; Vertex AI takes a task type), so the port has a method for each. Vectors come back unit length.
 */
public interface Embedder extends AutoCloseable {
    /** A name that says which model and dimensions, recorded with each indexed document. */
    String name();

    int dimensions();

    List<float[]> embedPassages(List<String> texts);

    float[] embedQuery(String text);

    @Override
    default void close() {
    }

    /** Scales {@code v} to unit length in place and returns it. */
    static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        if (sum > 0) {
            float inv = (float) (1 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }
}
