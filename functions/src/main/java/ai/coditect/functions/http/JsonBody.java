package ai.coditect.functions.http;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to the fields of a JSON request body, answering 400 for a missing or mistyped field. */
public final class JsonBody {
    private final JsonNode node;

    JsonBody(JsonNode node) {
        this.node = node;
    }

    /** A required string field; {@code missingCode} is the error code when it is absent or not a string. */
    public String requiredString(String field, String missingCode) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new ApiException(400, missingCode, "The field '" + field + "' is required.");
        }
        if (!value.isTextual()) {
            throw new ApiException(400, missingCode, "The field '" + field + "' must be a string.");
        }
        return value.asText();
    }

    /** An optional string field: null when absent, 400 {@code malformed_json} when not a string. */
    public String optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiException(400, "malformed_json", "The field '" + field + "' must be a string.");
        }
        return value.asText();
    }

    /** The raw value of a field, or null when absent, for fields that are not plain strings. */
    public JsonNode field(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }
}
