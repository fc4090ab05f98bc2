package ai.coditect.knowledge;

import ai.coditect.knowledge.embedding.Embedder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A deterministic stand-in model for store-level tests: word hashes folded into 32 dimensions; counts its calls. */
final class HashingEmbedder implements Embedder {
    final AtomicInteger passages = new AtomicInteger();

    @Override
    public String name() {
        return "hashing/32";
    }

    @Override
    public int dimensions() {
        return 32;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        passages.addAndGet(texts.size());
        List<float[]> out = new ArrayList<>();
        for (String t : texts) {
            out.add(vector(t));
        }
        return out;
    }

    @Override
    public float[] embedQuery(String text) {
        return vector(text);
    }

    private static float[] vector(String text) {
        float[] v = new float[32];
        for (String w : text.toLowerCase().split("\\W+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), 32)] += 1;
            }
        }
        v[0] += 0.01f;
        return Embedder.normalize(v);
    }
}
