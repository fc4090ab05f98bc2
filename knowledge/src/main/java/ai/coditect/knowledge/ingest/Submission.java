package ai.coditect.knowledge.ingest;

import ai.coditect.knowledge.chunking.DocumentKind;

/** One document to store: where it goes (collection and path), its title, how it is split, and its text. */
public record Submission(String collection, String path, String title, DocumentKind kind, String text) {
}
