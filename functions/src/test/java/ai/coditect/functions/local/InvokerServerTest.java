package ai.coditect.functions.local;

import ai.coditect.functions.testing.TestPlatform;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local platform's invoker: the real Functions Framework invoker, its request parsing tuned for long headers. */
class InvokerServerTest {
    /** Answers with the length of the request's Authorization header. */
    public static final class AuthorizationLength implements HttpFunction {
        @Override
        public void service(HttpRequest request, HttpResponse response) throws Exception {
            response.getWriter().write(Integer.toString(request.getFirstHeader("Authorization").orElse("").length()));
        }
    }

    @Test
    void requestsAreParsedWithoutTheHeaderCacheFromHeapBuffersAndLongHeadersArriveWhole() throws Exception {
        try (InvokerServer server = InvokerServer.start(Path.of(System.getProperty("coditect.invoker.jar")),
                TestPlatform.freePort(), AuthorizationLength.class, "http");
             HttpClient http = HttpClient.newHttpClient()) {
            int factories = 0;
            for (Object connector : (Object[]) call(jettyServer(server), "getConnectors")) {
                for (Object factory : (Collection<?>) call(connector, "getConnectionFactories")) {
                    if (factory.getClass().getSimpleName().equals("HttpConnectionFactory")) {
                        assertEquals(false, call(factory, "isUseInputDirectByteBuffers"));
                        assertEquals(0, call(call(factory, "getHttpConfiguration"), "getHeaderCacheSize"));
                        factories++;
                    }
                }
            }
            assertTrue(factories > 0, "the invoker serves HTTP/1.1 through an HttpConnectionFactory");

            String bearer = "Bearer " + "x".repeat(900);
            for (int i = 0; i < 3; i++) { // the same long header again on one connection, as a client sends it
                var reply = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + server.port() + "/")).header("Authorization", bearer + i).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                assertEquals(Integer.toString(bearer.length() + 1), reply.body());
            }
        }
    }

    private static Object jettyServer(InvokerServer server) throws ReflectiveOperationException {
        Field invokerField = InvokerServer.class.getDeclaredField("invoker");
        invokerField.setAccessible(true);
        Object invoker = invokerField.get(server);
        Field serverField = invoker.getClass().getDeclaredField("server");
        serverField.setAccessible(true);
        return serverField.get(invoker);
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        return target.getClass().getMethod(method).invoke(target);
    }
}
