package ai.coditect.functions.http;

import ai.coditect.shared.problem.Problem;

import java.util.Map;

/** Ends a request with a problem response: status, stable code, a detail the client can show, extra headers. */
public final class ApiException extends RuntimeException {
    private final Problem problem;
    private final Map<String, String> headers;

    public ApiException(int status, String code, String detail) {
        this(status, code, detail, Map.of());
    }

    public ApiException(int status, String code, String detail, Map<String, String> headers) {
        super(code + ": " + detail, null, false, false);
        this.problem = Problem.of(status, code, detail);
        this.headers = headers;
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
