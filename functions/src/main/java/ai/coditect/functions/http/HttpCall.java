package ai.coditect.functions.http;

import ai.coditect.shared.json.Json;
import ai.coditect.shared.problem.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request to a function and its response, with the platform's rules for bodies: JSON only (else 415),
 * at most 64 KiB (else 413), well-formed (else 400 {@code malformed_json}).
 */
public final class HttpCall {
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpRequest request;
    private final HttpResponse response;
    private final String requestId;
    private Map<String, String> pathParameters = Map.of();
    private String cacheControl = "no-store";
    private boolean bodyRead;
    private int status;

    HttpCall(HttpRequest request, HttpResponse response, String requestId) {
        this.request = request;
        this.response = response;
        this.requestId = requestId;
    }

    public String method() {
        return request.getMethod().toUpperCase(Locale.ROOT);
    }

    public String path() {
        return request.getPath();
    }

    public String requestId() {
        return requestId;
    }

    public Optional<String> header(String name) {
        return request.getFirstHeader(name);
    }

    /** The bearer token of the {@code Authorization} header, or empty. */
    public Optional<String> bearerToken() {
        return header("Authorization")
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .filter(t -> !t.isEmpty());
    }

    public String userAgent() {
        String ua = header("User-Agent").orElse("");
        return ua.length() > 256 ? ua.substring(0, 256) : ua;
    }

    /** The client's address as the trusted proxies in front reported it; see {@link ClientAddress}. */
    public String clientAddress(int hop) {
        List<String> values = new ArrayList<>();
        request.getHeaders().forEach((name, v) -> {
            if (name.equalsIgnoreCase("X-Forwarded-For")) {
                values.addAll(v);
            }
        });
        return ClientAddress.from(values, hop);
    }

    /** The first value of the query parameter {@code name}, or empty. */
    public Optional<String> query(String name) {
        List<String> values = request.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    void pathParameters(Map<String, String> parameters) {
        this.pathParameters = parameters;
    }

    /** The request body as a JSON object, checked for media type, size and syntax. */
    public JsonBody jsonBody() {
        String contentType = request.getContentType().orElse("");
        if (!isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type",
                    "Send the body as application/json" + (contentType.isEmpty() ? "." : ", not " + contentType + "."));
        }
        if (request.getContentLength() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] body;
        bodyRead = true;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new ApiException(400, "malformed_json", "The request body could not be read.");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed_json", "The request body is not valid JSON.");
        } catch (IOException e) {
            throw new ApiException(400, "malformed_json", "The request body could not be read.");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "malformed_json", "The request body must be a JSON object.");
        }
        return new JsonBody(node);
    }

    /** The media type of the request body without parameters, lower case; empty when none is given. */
    public String mediaType() {
        return request.getContentType().orElse("").split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /** The first value of a query parameter, or empty. */
    public Optional<String> queryParameter(String name) {
        return request.getFirstQueryParameter(name);
    }

    /** The raw request body, for endpoints that take more than JSON; 413 when it is over {@code maxBytes}. */
    public byte[] body(long maxBytes) {
        if (request.getContentLength() > maxBytes) {
            throw new ApiException(413, "payload_too_large", "The request body is larger than " + maxBytes
                    + " bytes.");
        }
        bodyRead = true;
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new ApiException(400, "unreadable_body", "The request body could not be read.");
        }
        if (body.length > maxBytes) {
            throw new ApiException(413, "payload_too_large", "The request body is larger than " + maxBytes
                    + " bytes.");
        }
        return body;
    }

    /**
     * Reads what is left of the request body (up to the body limit) before an early answer, so that the
     * connection stays usable: a server that answers before reading a body has to drop the connection.
     */
    private void discardUnreadBody() {
        if (bodyRead) {
            return;
        }
        bodyRead = true;
        try (InputStream in = request.getInputStream()) {
            in.skipNBytes(Math.min(Math.max(request.getContentLength(), 0), MAX_BODY_BYTES));
        } catch (IOException | RuntimeException e) {
            // nothing to read, or the client went away; the answer is written anyway
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "payload_too_large", "The request body is larger than 64 KiB.");
    }

    static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    public void header(String name, String value) {
        response.appendHeader(name, value);
    }

    /** Replaces the default {@code Cache-Control: no-store} of this response. */
    public void cacheControl(String value) {
        this.cacheControl = value;
    }

    public void json(int status, Object body) {
        write(status, "application/json", Json.bytes(body));
    }

    /** Writes JSON that is already encoded (see {@link #json}). */
    public void encodedJson(int status, byte[] json) {
        write(status, "application/json", json);
    }

    public void text(int status, String contentType, byte[] body) {
        write(status, contentType, body);
    }

    public void noContent() {
        this.status = 204;
        response.appendHeader("Cache-Control", cacheControl);
        response.setStatusCode(204);
    }

    public void problem(Problem problem, Map<String, String> headers) {
        discardUnreadBody();
        headers.forEach(response::appendHeader);
        write(problem.status(), Problem.MEDIA_TYPE, Json.bytes(problem));
    }

    private void write(int status, String contentType, byte[] bytes) {
        this.status = status;
        response.appendHeader("Cache-Control", cacheControl);
        response.setStatusCode(status);
        response.setContentType(contentType);
        try (OutputStream out = response.getOutputStream()) {
            out.write(bytes);
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    int status() {
        return status;
    }
}
