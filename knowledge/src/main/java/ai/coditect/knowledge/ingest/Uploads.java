package ai.coditect.knowledge.ingest;

import ai.coditect.knowledge.KnowledgeException;
import ai.coditect.knowledge.KnowledgeException.Reason;
import ai.coditect.knowledge.chunking.DocumentKind;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Turns what a client sent — one text document, or a folder as a zip or tar.gz archive — into checked
 * submissions, before anything is stored: limits (413), unsafe or too many entries (400), text that is empty or
 * not UTF-8 (400). In an archive, files of types the platform does not read, and binary files, are skipped and
 * reported rather than refused, since real folders hold images next to their docs.
 */
public final class Uploads {
    private static final Pattern COLLECTION = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final int MAX_PATH = 512;
    private static final int MAX_TITLE = 200;

    private final IngestLimits limits;

    public Uploads(IngestLimits limits) {
        this.limits = limits;
    }

    public IngestLimits limits() {
        return limits;
    }

    /** The documents of an upload, and the archive entries left out with why. */
    public record Parsed(List<Submission> documents, List<Skipped> skipped) {
    }

    /** An archive entry that was not taken. */
    public record Skipped(String path, String reason) {
    }

    public static String collection(String raw, String fallback) {
        String c = raw == null || raw.isBlank() ? fallback : raw.trim();
        if (!COLLECTION.matcher(c).matches()) {
            throw new KnowledgeException(Reason.INVALID_REQUEST, "A collection name is 1 to 64 lower-case letters, "
                    + "digits, dots, dashes or underscores, starting with a letter or digit.");
        }
        return c;
    }

    /** One document; its type comes from the path's extension, else from the media type (415 when neither reads). */
    public Submission document(String collection, String rawPath, String rawTitle, String mediaType, byte[] bytes) {
        String path = path(rawPath);
        DocumentKind kind = DocumentKind.ofPath(path);
        if (kind == null) {
            kind = DocumentKind.ofMediaType(mediaType);
        }
        if (kind == null) {
            throw new KnowledgeException(Reason.UNSUPPORTED_TYPE, "'" + path + "' is not a type the knowledge base "
                    + "reads: send text, Markdown or source code (e.g. .md, .txt, .java) or a zip or tar.gz folder.");
        }
        if (bytes.length > limits.maxDocumentBytes()) {
            throw new KnowledgeException(Reason.TOO_LARGE, "'" + path + "' is larger than "
                    + limits.maxDocumentBytes() + " bytes.");
        }
        String text = text(path, bytes);
        return new Submission(collection, path, title(rawTitle, path, text, kind), kind, text);
    }

    /** The documents of a zip archive. */
    public Parsed zip(String collection, byte[] archive) {
        checkArchiveSize(archive);
        List<Submission> docs = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long unpacked = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive), StandardCharsets.UTF_8)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw tooMany();
                }
                if (e.isDirectory()) {
                    continue;
                }
                String path = entryPath(e.getName());
                byte[] bytes = readEntry(in, path);
                unpacked += bytes.length;
                if (unpacked > limits.maxUnpackedBytes()) {
                    throw bomb();
                }
                take(collection, path, bytes, docs, skipped, seen);
            }
        } catch (IOException | IllegalArgumentException ex) {
            throw new KnowledgeException(Reason.UNREADABLE_ARCHIVE, "The zip archive could not be read: "
                    + ex.getMessage());
        }
        return done(docs, skipped);
    }

    /** The documents of a gzip-compressed tar archive. */
    public Parsed tarGz(String collection, byte[] archive) {
        checkArchiveSize(archive);
        List<Submission> docs = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long unpacked = 0;
        int entries = 0;
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(
                new ByteArrayInputStream(archive)), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw tooMany();
                }
                String path = entryPath(e.getName());
                if (e.isDirectory()) {
                    continue;
                }
                if (!e.isFile()) {
                    skipped.add(new Skipped(path, "not a regular file (links and devices are not followed)"));
                    continue;
                }
                byte[] bytes = readEntry(in, path);
                unpacked += bytes.length;
                if (unpacked > limits.maxUnpackedBytes()) {
                    throw bomb();
                }
                take(collection, path, bytes, docs, skipped, seen);
            }
        } catch (IOException | IllegalArgumentException ex) {
            throw new KnowledgeException(Reason.UNREADABLE_ARCHIVE, "The tar.gz archive could not be read: "
                    + ex.getMessage());
        }
        return done(docs, skipped);
    }

    private void take(String collection, String path, byte[] bytes, List<Submission> docs, List<Skipped> skipped,
                      Set<String> seen) {
        DocumentKind kind = DocumentKind.ofPath(path);
        if (kind == null) {
            skipped.add(new Skipped(path, "not a type the knowledge base reads"));
            return;
        }
        if (!seen.add(path)) {
            throw new KnowledgeException(Reason.UNSAFE_ARCHIVE_PATH, "The archive holds '" + path + "' twice.");
        }
        String text;
        try {
            text = text(path, bytes);
        } catch (KnowledgeException e) {
            skipped.add(new Skipped(path, e.getMessage()));
            return;
        }
        docs.add(new Submission(collection, path, title(null, path, text, kind), kind, text));
    }

    private Parsed done(List<Submission> docs, List<Skipped> skipped) {
        if (docs.isEmpty()) {
            throw new KnowledgeException(Reason.EMPTY_DOCUMENT, "The archive holds no text document the knowledge "
                    + "base reads" + (skipped.isEmpty() ? "." : " (" + skipped.size() + " entries skipped)."));
        }
        return new Parsed(List.copyOf(docs), List.copyOf(skipped));
    }

    private byte[] readEntry(InputStream in, String path) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxDocumentBytes() + 1));
        if (bytes.length > limits.maxDocumentBytes()) {
            throw new KnowledgeException(Reason.TOO_LARGE, "'" + path + "' in the archive is larger than "
                    + limits.maxDocumentBytes() + " bytes.");
        }
        return bytes;
    }

    private void checkArchiveSize(byte[] archive) {
        if (archive.length > limits.maxArchiveBytes()) {
            throw new KnowledgeException(Reason.TOO_LARGE, "The archive is larger than " + limits.maxArchiveBytes()
                    + " bytes.");
        }
    }

    private KnowledgeException tooMany() {
        return new KnowledgeException(Reason.TOO_MANY_ENTRIES, "The archive has more than " + limits.maxEntries()
                + " entries.");
    }

    private KnowledgeException bomb() {
        return new KnowledgeException(Reason.TOO_LARGE, "The archive unpacks to more than "
                + limits.maxUnpackedBytes() + " bytes.");
    }

    /** An archive entry's name as a document path: relative, forward slashes, no {@code ..}, no NUL. */
    static String entryPath(String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0
                || name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw new KnowledgeException(Reason.UNSAFE_ARCHIVE_PATH, "The archive entry '" + printable(name)
                    + "' is not a relative path.");
        }
        String p = name;
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        for (String segment : p.split("/")) {
            if (segment.equals("..")) {
                throw new KnowledgeException(Reason.UNSAFE_ARCHIVE_PATH, "The archive entry '" + printable(name)
                        + "' points outside the folder.");
            }
        }
        if (p.length() > MAX_PATH) {
            throw new KnowledgeException(Reason.UNSAFE_ARCHIVE_PATH, "An archive entry's path is longer than "
                    + MAX_PATH + " characters.");
        }
        return p;
    }

    static String path(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new KnowledgeException(Reason.INVALID_REQUEST, "Give the document a path, e.g. "
                    + "?path=guides/setup.md or \"path\": \"guides/setup.md\".");
        }
        try {
            return entryPath(raw.trim());
        } catch (KnowledgeException e) {
            throw new KnowledgeException(Reason.INVALID_REQUEST, "The path '" + printable(raw)
                    + "' must be relative, with forward slashes and no '..'.");
        }
    }

    /** Strict UTF-8 without NUL bytes, and not blank; anything else is not a text document. */
    static String text(String path, byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                throw new KnowledgeException(Reason.BINARY_CONTENT, "'" + path + "' is binary, not text.");
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new KnowledgeException(Reason.BINARY_CONTENT, "'" + path + "' is not UTF-8 text.");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            throw new KnowledgeException(Reason.EMPTY_DOCUMENT, "'" + path + "' has no text.");
        }
        return text;
    }

    private static String title(String raw, String path, String text, DocumentKind kind) {
        String t = raw;
        if (t == null || t.isBlank()) {
            t = null;
            if (kind == DocumentKind.MARKDOWN) {
                for (String line : text.lines().limit(50).toList()) {
                    if (line.startsWith("# ")) {
                        t = line.substring(2).trim();
                        break;
                    }
                }
            }
            if (t == null || t.isEmpty()) {
                t = path.substring(path.lastIndexOf('/') + 1);
            }
        }
        t = t.strip();
        return t.length() > MAX_TITLE ? t.substring(0, MAX_TITLE) : t;
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "…" : clean;
    }
}
