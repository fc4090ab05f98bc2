package ai.coditect.knowledge;

/** A refusal of the knowledge base, with the HTTP status and stable code the contract gives it. */
public final class KnowledgeException extends RuntimeException {

    /** Why a request was refused. */
    public enum Reason {
        INVALID_REQUEST(400, "invalid_request"),
        EMPTY_DOCUMENT(400, "empty_document"),
        BINARY_CONTENT(400, "binary_content"),
        UNSAFE_ARCHIVE_PATH(400, "unsafe_archive_path"),
        TOO_MANY_ENTRIES(400, "too_many_entries"),
        UNREADABLE_ARCHIVE(400, "unreadable_archive"),
        INVALID_K(400, "invalid_k"),
        INVALID_BUDGET(400, "invalid_budget"),
        READ_ONLY_COLLECTION(403, "read_only_collection"),
        DOCUMENT_NOT_FOUND(404, "document_not_found"),
        TOO_LARGE(413, "payload_too_large"),
        UNSUPPORTED_TYPE(415, "unsupported_media_type");

        private final int status;
        private final String code;

        Reason(int status, String code) {
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public KnowledgeException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
