package ai.coditect.knowledge.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * bge-small-en-v1.5 (quantized, 384 dimensions) running in the JVM on ONNX Runtime, through langchain4j. Queries
 * get the instruction prefix that bge was trained with for retrieval; passages are embedded as they are. The model
 * loads on first use (a few seconds), so that a platform starting with it answers at once.
 */
public final class LocalEmbedder implements Embedder {
    /** bge-small-en-v1.5's instruction for short queries that retrieve passages. */
    public static final String QUERY_PREFIX = "Represent this sentence for searching relevant passages: ";

    private final ExecutorService executor;
    private volatile BgeSmallEnV15QuantizedEmbeddingModel model;

    public LocalEmbedder(int threads) {
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "coditect-embedder");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether the model has been loaded (by a first embedding). */
    public boolean loaded() {
        return model != null;
    }

    private BgeSmallEnV15QuantizedEmbeddingModel model() {
        BgeSmallEnV15QuantizedEmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    model = new BgeSmallEnV15QuantizedEmbeddingModel(executor);
                }
                m = model;
            }
        }
        return m;
    }

    @Override
    public String name() {
        return "bge-small-en-v1.5-q/384";
    }

    @Override
    public int dimensions() {
        return 384;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        List<float[]> out = new ArrayList<>(texts.size());
        for (Embedding e : model().embedAll(segments).content()) {
            out.add(Embedder.normalize(e.vector()));
        }
        return out;
    }

    @Override
    public float[] embedQuery(String text) {
        return Embedder.normalize(model().embed(QUERY_PREFIX + text).content().vector());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
