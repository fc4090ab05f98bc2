package ai.coditect.knowledge.index;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keyword side's analyzer: lower-cased words and numbers, identifiers also split at camel case and
 * underscores (so {@code EventPublisher} is found by "publisher"), English stop words dropped, and a plural
 * {@code s} taken off. Queries and chunks go through the same analysis.
 */
public final class Terms {
    /** Longest term kept; longer runs are usually hashes or encoded data, not words anyone searches for. */
    public static final int MAX_TERM_LENGTH = 40;
    private static final Set<String> STOP = Set.of("a", "an", "and", "are", "as", "at", "be", "but", "by", "for",
            "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
            "there", "these", "they", "this", "to", "was", "will", "with", "can", "do", "does", "how", "i", "what",
            "when", "where", "which", "who", "why", "you", "your", "from", "has", "have", "had", "its", "my", "we",
            "our", "so", "than", "too", "very", "should", "would", "could", "may", "might", "must", "shall", "been",
            "being", "were", "am", "he", "she", "him", "her", "his", "them", "me", "us", "about", "also", "any",
            "all", "some", "each", "other", "more", "most", "only", "own", "same", "just", "here", "out", "up",
            "down", "over", "under", "again", "further", "once", "both", "few", "many", "much", "nor", "off", "per");

    private Terms() {
    }

    /** Each term of {@code text} with its frequency, in first-seen order. */
    public static Map<String, Integer> frequencies(String text) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && !Character.isLetterOrDigit(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && Character.isLetterOrDigit(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                String word = text.substring(start, i);
                add(out, word);
                addCamelParts(out, word);
            }
        }
        return out;
    }

    /** The number of terms in {@code frequencies}, the document length of BM25. */
    public static int length(Map<String, Integer> frequencies) {
        int sum = 0;
        for (int f : frequencies.values()) {
            sum += f;
        }
        return sum;
    }

    private static void addCamelParts(Map<String, Integer> out, String word) {
        int start = 0;
        boolean split = false;
        for (int j = 1; j < word.length(); j++) {
            char prev = word.charAt(j - 1);
            char c = word.charAt(j);
            boolean boundary = (Character.isLowerCase(prev) && Character.isUpperCase(c))
                    || (Character.isLetter(prev) && Character.isDigit(c))
                    || (Character.isUpperCase(prev) && Character.isUpperCase(c) && j + 1 < word.length()
                    && Character.isLowerCase(word.charAt(j + 1)));
            if (boundary) {
                add(out, word.substring(start, j));
                start = j;
                split = true;
            }
        }
        if (split) {
            add(out, word.substring(start));
        }
    }

    private static void add(Map<String, Integer> out, String word) {
        String term = normalize(word);
        if (term != null) {
            out.merge(term, 1, Integer::sum);
        }
    }

    private static String normalize(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (w.length() < 2 || w.length() > MAX_TERM_LENGTH || STOP.contains(w)) {
            return null;
        }
        if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
            w = w.endsWith("ies") && w.length() > 4 ? w.substring(0, w.length() - 3) + "y" : w.substring(0,
                    w.length() - 1);
        }
        return w;
    }
}
