package ai.coditect.knowledge.chunking;

import java.util.Locale;
import java.util.Set;

/** How a document is split: Markdown by headings, source code by declarations, anything else by paragraphs. */
public enum DocumentKind {
    MARKDOWN, CODE, TEXT;

    private static final Set<String> MARKDOWN_EXTENSIONS = Set.of("md", "markdown", "mdx");
    private static final Set<String> CODE_EXTENSIONS = Set.of("java", "kt", "kts", "scala", "groovy", "py", "js",
            "jsx", "ts", "tsx", "mjs", "cjs", "go", "rs", "c", "h", "cc", "cpp", "hpp", "cs", "rb", "php", "swift",
            "sh", "bash", "sql", "proto", "tf", "yaml", "yml", "toml", "xml", "gradle", "lua", "dart", "ex", "exs");
    private static final Set<String> TEXT_EXTENSIONS = Set.of("txt", "text", "rst", "adoc", "asciidoc", "org",
            "csv", "json", "properties", "ini", "cfg", "conf", "html", "htm", "tex", "log");

    /** The kind of a path by its extension, or null when the platform does not read that type. */
    public static DocumentKind ofPath(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return name.equals("readme") || name.equals("license") || name.equals("changelog")
                    || name.equals("copyright") || name.equals("news") || name.equals("makefile")
                    || name.equals("dockerfile") ? TEXT : null;
        }
        String ext = name.substring(dot + 1);
        if (MARKDOWN_EXTENSIONS.contains(ext)) {
            return MARKDOWN;
        }
        if (CODE_EXTENSIONS.contains(ext)) {
            return CODE;
        }
        return TEXT_EXTENSIONS.contains(ext) ? TEXT : null;
    }

    /** The kind of a media type as sent in {@code Content-Type}, or null when it is not text the platform reads. */
    public static DocumentKind ofMediaType(String mediaType) {
        return switch (mediaType) {
            case "text/markdown", "text/x-markdown" -> MARKDOWN;
            case "text/plain", "text/html", "text/csv" -> TEXT;
            case "text/x-java", "text/x-java-source", "text/x-python", "text/x-go", "text/x-rust", "text/x-c",
                 "text/x-c++", "text/javascript", "application/javascript", "text/x-typescript",
                 "application/x-sh", "text/x-shellscript" -> CODE;
            default -> null;
        };
    }
}
