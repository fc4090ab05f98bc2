package ai.coditect.knowledge.chunking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a document into chunks that follow its structure — Markdown sections by heading, source code by
 * declaration, plain text as one flow — and cuts any part longer than the token budget into windows that overlap
 * a little, preferring paragraph and line breaks as cut points.
 */
public final class Chunker {
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})[ \\t]+(.+?)[ \\t#]*$");
    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
    private static final Pattern DECLARATION = Pattern.compile(
            "^([ \\t]{0,4})(?:(?:public|private|protected|internal|static|final|abstract|sealed|open|override"
                    + "|export|default|async|synchronized|pub(?:\\([a-z]+\\))?|unsafe|inline|virtual)\\s+)*"
                    + "(?:(class|interface|enum|record|struct|trait|impl|object|def|fn|func|function|module"
                    + "|namespace|type)\\s+([A-Za-z_$][\\w$]*)"
                    + "|[\\w<>\\[\\],.? ]+?\\s+([A-Za-z_$][\\w$]*)\\s*\\([^;]*$)");
    private static final Pattern CODE_PREAMBLE = Pattern.compile("^\\s*(@|//|/\\*|\\*|#\\[|///|\"\"\")");
    /** Room left in the model's window for the heading path that is embedded with each chunk. */
    private static final int HEADING_ALLOWANCE = 40;
    private static final int TINY_SECTION_TOKENS = 24;
    private static final int MAX_HEADING_CHARS = 120;

    private final ModelTokens tokens;
    private final int maxTokens;
    private final int overlapTokens;

    /** {@code maxTokens} includes the heading path; at most the model's window of {@value ModelTokens#MODEL_WINDOW}. */
    public Chunker(ModelTokens tokens, int maxTokens, int overlapTokens) {
        if (maxTokens < 64 || maxTokens > ModelTokens.MODEL_WINDOW) {
            throw new IllegalArgumentException("chunks hold 64 to " + ModelTokens.MODEL_WINDOW + " tokens; got "
                    + maxTokens);
        }
        if (overlapTokens < 0 || overlapTokens > maxTokens / 4) {
            throw new IllegalArgumentException("the overlap must be between 0 and a quarter of a chunk");
        }
        this.tokens = tokens;
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
    }

    public List<Chunk> split(String text, DocumentKind kind) {
        List<Section> sections = switch (kind) {
            case MARKDOWN -> markdownSections(text);
            case CODE -> codeSections(text);
            case TEXT -> List.of(new Section(0, text.length(), List.of()));
        };
        List<Chunk> out = new ArrayList<>();
        Section pending = null;
        for (Section s : sections) {
            if (pending != null) {
                s = new Section(pending.start(), s.end(), s.path());
                pending = null;
            }
            String body = text.substring(s.start(), s.end());
            if (body.isBlank()) {
                continue;
            }
            int count = tokens.count(body);
            if (count < TINY_SECTION_TOKENS && s != sections.getLast()) {
                pending = s; // a heading without text, or a one-line declaration: it joins what follows
                continue;
            }
            emit(out, text, s, count);
        }
        if (pending != null && !text.substring(pending.start(), pending.end()).isBlank()) {
            emit(out, text, pending, tokens.count(text.substring(pending.start(), pending.end())));
        }
        return out;
    }

    private void emit(List<Chunk> out, String text, Section s, int count) {
        List<String> path = s.path().stream()
                .map(h -> h.length() > MAX_HEADING_CHARS ? h.substring(0, MAX_HEADING_CHARS) : h).toList();
        int budget = maxTokens - Math.min(HEADING_ALLOWANCE, path.isEmpty() ? 0 : tokens.count(String.join(" > ",
                path)) + 1);
        if (count <= budget) {
            add(out, text, s.start(), s.end(), path);
            return;
        }
        String body = text.substring(s.start(), s.end());
        int[] ends = tokens.tokenEnds(body);
        int first = 0; // index of the first token of the current window
        int startChar = 0;
        while (first < ends.length) {
            int last = Math.min(ends.length, first + budget); // exclusive
            int endChar = last == ends.length ? body.length() : ends[last - 1];
            if (last < ends.length) {
                int cut = breakBefore(body, startChar, endChar, first, last, ends);
                if (cut > first) {
                    last = cut;
                    endChar = ends[last - 1];
                }
            }
            add(out, text, s.start() + startChar, s.start() + endChar, path);
            if (last >= ends.length) {
                break;
            }
            int next = Math.max(first + 1, last - overlapTokens);
            first = next;
            startChar = ends[next - 1];
        }
    }

    /** The token index after a paragraph or line break in the last quarter of the window, or -1. */
    private static int breakBefore(String body, int startChar, int endChar, int first, int last, int[] ends) {
        int floor = first + (last - first) * 3 / 4;
        for (String mark : new String[] {"\n\n", "\n", ". "}) {
            int at = body.lastIndexOf(mark, endChar - 1);
            if (at > startChar) {
                for (int t = last - 1; t >= floor; t--) {
                    if (ends[t] <= at + mark.length()) {
                        return t + 1;
                    }
                }
            }
        }
        return -1;
    }

    private void add(List<Chunk> out, String text, int start, int end, List<String> path) {
        // trim surrounding blank lines so offsets point at the passage itself
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        if (start >= end) {
            return;
        }
        String passage = text.substring(start, end);
        Chunk draft = new Chunk(out.size(), start, end, path, passage, 0, "");
        String embedded = draft.embeddingText();
        out.add(new Chunk(out.size(), start, end, path, passage, tokens.count(embedded), sha256(embedded)));
    }

    private record Section(int start, int end, List<String> path) {
    }

    private static List<Section> markdownSections(String text) {
        List<Section> sections = new ArrayList<>();
        Deque<String[]> stack = new ArrayDeque<>(); // {level, title}
        int sectionStart = 0;
        List<String> path = List.of();
        boolean inFence = false;
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            int lineEnd = nl < 0 ? text.length() : nl;
            String line = text.substring(pos, lineEnd);
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
            } else if (!inFence) {
                Matcher m = HEADING.matcher(line);
                if (m.matches()) {
                    if (pos > sectionStart) {
                        sections.add(new Section(sectionStart, pos, path));
                    }
                    int level = m.group(1).length();
                    while (!stack.isEmpty() && Integer.parseInt(stack.peekLast()[0]) >= level) {
                        stack.removeLast();
                    }
                    stack.addLast(new String[] {Integer.toString(level), m.group(2).trim()});
                    path = stack.stream().map(h -> h[1]).toList();
                    sectionStart = pos;
                }
            }
            pos = nl < 0 ? text.length() : nl + 1;
        }
        if (sectionStart < text.length()) {
            sections.add(new Section(sectionStart, text.length(), path));
        }
        return sections;
    }

    private static List<Section> codeSections(String text) {
        List<Section> sections = new ArrayList<>();
        String outer = null;
        int sectionStart = 0;
        List<String> path = List.of();
        int pos = 0;
        int preambleStart = -1; // first line of the comments and annotations right above a declaration
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            int lineEnd = nl < 0 ? text.length() : nl;
            String line = text.substring(pos, lineEnd);
            Matcher m = DECLARATION.matcher(line);
            if (m.find() && !line.trim().startsWith("return ") && !line.trim().startsWith("new ")) {
                String name = m.group(3) != null ? m.group(2) + " " + m.group(3) : m.group(4);
                boolean topLevel = m.group(1).isEmpty();
                int start = preambleStart >= 0 ? preambleStart : pos;
                if (start > sectionStart) {
                    sections.add(new Section(sectionStart, start, path));
                }
                sectionStart = start;
                if (topLevel || outer == null) {
                    outer = name;
                    path = List.of(name);
                } else {
                    path = List.of(outer, name);
                }
                preambleStart = -1;
            } else if (CODE_PREAMBLE.matcher(line).find()) {
                if (preambleStart < 0) {
                    preambleStart = pos;
                }
            } else {
                preambleStart = -1;
            }
            pos = nl < 0 ? text.length() : nl + 1;
        }
        if (sectionStart < text.length()) {
            sections.add(new Section(sectionStart, text.length(), path));
        }
        return sections;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
