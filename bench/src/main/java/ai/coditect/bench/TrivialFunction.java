package ai.coditect.bench;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;

/** The smallest HTTP function: the cold-start benchmark's yardstick for what the invoker and the JVM cost alone. */
public final class TrivialFunction implements HttpFunction {
    @Override
    public void service(HttpRequest request, HttpResponse response) throws Exception {
        response.setStatusCode(200);
        response.setContentType("text/plain");
        response.getWriter().write("ok");
    }
}
