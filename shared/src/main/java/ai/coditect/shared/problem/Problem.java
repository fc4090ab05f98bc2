package ai.coditect.shared.problem;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}), with a
 * stable machine-readable {@code code} that clients switch on.
 */
@JsonPropertyOrder({"type", "title", "status", "detail", "code"})
public record Problem(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String detail) {
        return new Problem("urn:coditect:problem:" + code, title(status), status, detail, code);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
