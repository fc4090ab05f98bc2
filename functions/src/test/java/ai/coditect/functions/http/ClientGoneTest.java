package ai.coditect.functions.http;

import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client that went away before its answer could be written is left unanswered quietly, whatever the answer was:
 * a success, a refusal (an {@link ApiException}) or a failure of ours.
 */
class ClientGoneTest {
    /** A request for {@code GET /x} without headers or body. */
    private static HttpRequest request() {
        return (HttpRequest) Proxy.newProxyInstance(HttpRequest.class.getClassLoader(), new Class<?>[]{HttpRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "GET";
                    case "getPath" -> "/x";
                    case "getUri" -> "http://127.0.0.1/x";
                    case "getFirstHeader", "getFirstQueryParameter", "getContentType", "getCharacterEncoding",
                         "getQuery" -> Optional.empty();
                    case "getHeaders", "getQueryParameters", "getParts" -> Map.of();
                    case "getContentLength" -> 0L;
                    case "getInputStream" -> new ByteArrayInputStream(new byte[0]);
                    case "toString" -> "GET /x";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A response whose connection is gone: every write fails, as Jetty's does after the peer closed. */
    private static HttpResponse goneResponse(AtomicInteger writes) {
        OutputStream gone = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writes.incrementAndGet();
                throw new IOException("the client went away");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writes.incrementAndGet();
                throw new IOException("the client went away");
            }
        };
        return (HttpResponse) Proxy.newProxyInstance(HttpResponse.class.getClassLoader(),
                new Class<?>[]{HttpResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOutputStream" -> gone;
                    case "getHeaders" -> Map.of();
                    case "getContentType" -> Optional.empty();
                    case "toString" -> "response";
                    default -> null; // setStatusCode, setContentType, appendHeader
                });
    }

    @Test
    void aRefusalToAClientThatWentAwayIsDroppedQuietly() {
        Routes routes = Routes.builder().get("/x", call -> {
            throw new ApiException(409, "conflict", "Not now.");
        }).build();
        AtomicInteger writes = new AtomicInteger();
        assertDoesNotThrow(() -> routes.serve(request(), goneResponse(writes)));
        assertEquals(1, writes.get(), "the refusal was tried once");
    }

    @Test
    void aSuccessOrAFailureToAClientThatWentAwayIsDroppedQuietlyToo() {
        AtomicInteger writes = new AtomicInteger();
        Routes ok = Routes.builder().get("/x", call -> call.json(200, Map.of("ok", true))).build();
        assertDoesNotThrow(() -> ok.serve(request(), goneResponse(writes)));
        Routes failing = Routes.builder().get("/x", call -> {
            throw new IllegalStateException("a failure of ours");
        }).build();
        assertDoesNotThrow(() -> failing.serve(request(), goneResponse(writes)));
        assertEquals(2, writes.get());
    }
}
