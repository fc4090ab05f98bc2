package ai.coditect.knowledge;

import ai.coditect.functions.auth.Authentication;
import ai.coditect.functions.auth.AuthService;
import ai.coditect.functions.http.ApiException;
import ai.coditect.functions.http.HttpCall;
import ai.coditect.functions.http.Refusals;
import ai.coditect.functions.http.Routes;
import ai.coditect.knowledge.ingest.Submission;
import ai.coditect.knowledge.ingest.Uploads;
import ai.coditect.knowledge.search.ContextBuilder;
import ai.coditect.knowledge.search.SearchHit;
import ai.coditect.knowledge.search.SearchRequest;
import ai.coditect.shared.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code /v1/knowledge/*} routes of the HTTP contract, translated to and from {@link KnowledgeService}. */
public final class KnowledgeRoutes {
    private static final Refusals<KnowledgeException> REFUSALS = Refusals.of(KnowledgeException.class,
            e -> new ApiException(e.reason().status(), e.reason().code(), e.getMessage()));
    private static final String DEFAULT_COLLECTION = "default";
    private static final int SMALL_JSON = 64 * 1024;

    private final KnowledgeService knowledge;
    private final Authentication auth;
    private final Uploads uploads;
    private final Routes routes;

    public KnowledgeRoutes(KnowledgeService knowledge, Authentication auth, Uploads uploads) {
        this.knowledge = knowledge;
        this.auth = auth;
        this.uploads = uploads;
        this.routes = Routes.builder()
                .post("/v1/knowledge/documents", this::submit)
                .get("/v1/knowledge/documents", this::list)
                .get("/v1/knowledge/documents/{id}", this::get)
                .delete("/v1/knowledge/documents/{id}", this::delete)
                .post("/v1/knowledge/search", this::search)
                .post("/v1/knowledge/context", this::context)
                .post("/v1/knowledge/exports", this::export)
                .post("/v1/knowledge/imports", this::importExport)
                .build();
    }

    public Routes routes() {
        return routes;
    }

    private void submit(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        String type = call.mediaType();
        String collection = REFUSALS.call(() -> Uploads.collection(call.queryParameter("collection").orElse(null),
                DEFAULT_COLLECTION));
        List<Submission> submissions;
        List<Uploads.Skipped> skipped = List.of();
        switch (type) {
            case "application/json" -> {
                JsonNode body = json(call, uploads.limits().maxDocumentBytes() * 2 + SMALL_JSON);
                String text = text(body, "text", true);
                String c = REFUSALS.call(() -> Uploads.collection(text(body, "collection", false), collection));
                submissions = List.of(REFUSALS.call(() -> uploads.document(c, text(body, "path", true),
                        text(body, "title", false), "text/plain", text.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            }
            case "application/zip", "application/x-zip-compressed" -> {
                Uploads.Parsed parsed = REFUSALS.call(() -> uploads.zip(collection,
                        call.body(uploads.limits().maxArchiveBytes())));
                submissions = parsed.documents();
                skipped = parsed.skipped();
            }
            case "application/gzip", "application/x-gzip", "application/x-tar+gzip", "application/x-gtar",
                 "application/x-compressed-tar" -> {
                Uploads.Parsed parsed = REFUSALS.call(() -> uploads.tarGz(collection,
                        call.body(uploads.limits().maxArchiveBytes())));
                submissions = parsed.documents();
                skipped = parsed.skipped();
            }
            default -> {
                if (!type.startsWith("text/") && ai.coditect.knowledge.chunking.DocumentKind.ofMediaType(type) == null) {
                    throw new ApiException(415, "unsupported_media_type", "Send one document as text (text/markdown, "
                            + "text/plain, source code) with ?path=, as application/json {path, text}, or a folder as "
                            + "application/zip or application/gzip (tar.gz)" + (type.isEmpty() ? "." : ", not " + type
                            + "."));
                }
                byte[] bytes = call.body(uploads.limits().maxDocumentBytes());
                submissions = List.of(REFUSALS.call(() -> uploads.document(collection,
                        call.queryParameter("path").orElse(null), call.queryParameter("title").orElse(null), type,
                        bytes)));
            }
        }
        List<KnowledgeService.Accepted> accepted = REFUSALS.call(() -> knowledge.submit(caller.tenantId(),
                caller.userId(), submissions));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documents", accepted.stream().map(a -> {
            Map<String, Object> d = document(a.document());
            d.put("changed", a.changed());
            return d;
        }).toList());
        out.put("skipped", skipped);
        call.json(202, out);
    }

    private void list(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        String collection = call.queryParameter("collection").map(c -> REFUSALS.call(() -> Uploads.collection(c, c)))
                .orElse(null);
        int limit = integer(call.queryParameter("limit").orElse(null), 1000, 1, 10_000, "limit");
        call.json(200, Map.of("documents", knowledge.documents(caller.tenantId(), collection, limit).stream()
                .map(KnowledgeRoutes::document).toList()));
    }

    private void get(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        call.json(200, Map.of("document", document(REFUSALS.call(() -> knowledge.document(caller.tenantId(),
                call.pathParameter("id"))))));
    }

    private void delete(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        REFUSALS.call(() -> {
            knowledge.delete(caller.tenantId(), caller.userId(), call.pathParameter("id"));
            return null;
        });
        call.noContent();
    }

    private void search(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        JsonNode body = json(call, SMALL_JSON);
        String query = text(body, "query", true);
        int k = body.has("k") ? intField(body, "k", KnowledgeException.Reason.INVALID_K) : 10;
        String collection = optionalCollection(body);
        JsonNode filter = body.path("filter");
        if (!filter.isMissingNode() && !filter.isNull() && !filter.isObject()) {
            throw new ApiException(400, "invalid_request", "filter is an object: {pathPrefix?, documentId?}.");
        }
        String mode = body.has("mode") ? text(body, "mode", true).toUpperCase(Locale.ROOT) : "HYBRID";
        SearchRequest.Mode m;
        try {
            m = SearchRequest.Mode.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_request", "mode is hybrid, vector or keyword.");
        }
        SearchRequest request = new SearchRequest(query, k, collection, text(filter, "pathPrefix", false),
                text(filter, "documentId", false), m);
        List<SearchHit> hits = REFUSALS.call(() -> knowledge.search(caller.tenantId(), request));
        call.json(200, Map.of("hits", hits));
    }

    private void context(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        JsonNode body = json(call, SMALL_JSON);
        String query = text(body, "query", true);
        int budget = body.has("budgetTokens") ? intField(body, "budgetTokens", KnowledgeException.Reason.INVALID_BUDGET)
                : 2000;
        String collection = optionalCollection(body);
        ContextBuilder.Context c = REFUSALS.call(() -> knowledge.context(caller.tenantId(), query, budget, collection));
        call.json(200, c);
    }

    private void export(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        call.json(201, REFUSALS.call(() -> knowledge.export(caller.tenantId())));
    }

    private void importExport(HttpCall call) {
        AuthService.Caller caller = auth.caller(call);
        JsonNode body = json(call, SMALL_JSON);
        String id = text(body, "exportId", true);
        List<KnowledgeService.Accepted> accepted = REFUSALS.call(() -> knowledge.importExport(caller.tenantId(),
                caller.userId(), id));
        call.json(202, Map.of("documents", accepted.stream().map(a -> document(a.document())).toList()));
    }

    private String optionalCollection(JsonNode body) {
        String c = text(body, "collection", false);
        return c == null ? null : REFUSALS.call(() -> Uploads.collection(c, c));
    }

    static Map<String, Object> document(KnowledgeDocument d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", d.id());
        out.put("collection", d.collection());
        out.put("path", d.path());
        out.put("title", d.title());
        out.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
        out.put("bytes", d.bytes());
        out.put("contentHash", d.contentHash());
        out.put("status", d.status());
        if (d.reason() != null) {
            out.put("reason", d.reason());
        }
        out.put("chunks", d.chunks());
        out.put("createdAt", d.createdAt());
        out.put("updatedAt", d.updatedAt());
        return out;
    }

    /** A JSON object body of at most {@code max} bytes. */
    private static JsonNode json(HttpCall call, long max) {
        if (!call.mediaType().equals("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "Send the body as application/json.");
        }
        byte[] bytes = call.body(max);
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new ApiException(400, "malformed_json", "The request body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "malformed_json", "The request body must be a JSON object.");
        }
        return node;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull()) {
            if (required) {
                throw new ApiException(400, "invalid_request", "The field '" + field + "' is required.");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, "invalid_request", "The field '" + field + "' must be a string.");
        }
        return v.asText();
    }

    private static int intField(JsonNode body, String field, KnowledgeException.Reason reason) {
        JsonNode v = body.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ApiException(reason.status(), reason.code(), "The field '" + field + "' must be an integer.");
        }
        return v.asInt();
    }

    private static int integer(String raw, int fallback, int min, int max, String name) {
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(400, "invalid_request", name + " is an integer from " + min + " to " + max + ".");
    }
}
