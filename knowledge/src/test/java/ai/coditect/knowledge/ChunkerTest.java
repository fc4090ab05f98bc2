package ai.coditect.knowledge;

import ai.coditect.knowledge.chunking.Chunk;
import ai.coditect.knowledge.chunking.Chunker;
import ai.coditect.knowledge.chunking.DocumentKind;
import ai.coditect.knowledge.chunking.ModelTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chunks follow the structure of Markdown and code, fit the model's window, and point back into the text. */
class ChunkerTest {
    static ModelTokens tokens;

    @BeforeAll
    static void load() {
        tokens = ModelTokens.load();
    }

    @AfterAll
    static void close() {
        tokens.close();
    }

    @Test
    void markdownIsSplitByHeadingsButNotInsideCodeFences() {
        String md = """
                # Guide

                ## Install

                Run the installer and accept the licence. It takes about a minute on a laptop.

                ```bash
                # not a heading: a shell comment inside a fence
                ./install.sh --prefix /opt/tool
                ```

                ## Configure

                ### Ports

                The server listens on port 8080 unless PORT names another one; change it when that port is taken.
                """;
        List<Chunk> chunks = new Chunker(tokens, 400, 32).split(md, DocumentKind.MARKDOWN);
        assertEquals(2, chunks.size(), chunks.toString());
        assertEquals(List.of("Guide", "Install"), chunks.get(0).headingPath());
        assertTrue(chunks.get(0).text().contains("./install.sh"));
        assertEquals(List.of("Guide", "Configure", "Ports"), chunks.get(1).headingPath());
        for (Chunk c : chunks) {
            assertEquals(c.text(), md.substring(c.start(), c.end()));
        }
    }

    @Test
    void sourceCodeIsSplitByDeclarationsWithTheirComments() {
        StringBuilder java = new StringBuilder("package demo;\n\npublic class Billing {\n");
        for (String m : List.of("charge", "refund", "invoice")) {
            java.append("    /** Explains what ").append(m).append(" does for the customer account in a few words. */\n")
                    .append("    public long ").append(m).append("(String account, long cents) {\n")
                    .append("        long total = cents * 2 + account.length();\n")
                    .append("        return total - 1;\n    }\n\n");
        }
        java.append("}\n");
        List<Chunk> chunks = new Chunker(tokens, 400, 32).split(java.toString(), DocumentKind.CODE);
        assertTrue(chunks.stream().anyMatch(c -> c.headingPath().equals(List.of("class Billing", "refund"))
                && c.text().startsWith("/** Explains what refund")), chunks.toString());
    }

    @Test
    void longSectionsAreCutIntoOverlappingWindowsWithinTheBudget() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            text.append("Sentence number ").append(i).append(" talks about retrieval and embeddings. ");
            if (i % 7 == 6) {
                text.append("\n\n");
            }
        }
        List<Chunk> chunks = new Chunker(tokens, 128, 16).split(text.toString(), DocumentKind.TEXT);
        assertTrue(chunks.size() > 10, "chunks: " + chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertTrue(c.tokens() <= 128, "chunk " + i + " has " + c.tokens() + " tokens");
            assertEquals(c.text(), text.substring(c.start(), c.end()));
            if (i > 0) {
                assertTrue(c.start() < chunks.get(i - 1).end(), "windows overlap");
            }
        }
        assertEquals(text.toString().strip().length(), chunks.getLast().end());
    }
}
