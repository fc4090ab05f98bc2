package ai.coditect.knowledge;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a document is in indexing: {@code queued → indexed}, or {@code failed} with a reason. */
public enum DocumentStatus {
    @JsonProperty("queued") QUEUED,
    @JsonProperty("indexed") INDEXED,
    @JsonProperty("failed") FAILED,
    @JsonProperty("deleting") DELETING
}
