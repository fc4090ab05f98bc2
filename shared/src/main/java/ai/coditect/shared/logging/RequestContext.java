package ai.coditect.shared.logging;

/** The id of the request the current thread is serving, so every log line about it carries that id. */
public final class RequestContext {
    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    private RequestContext() {
    }

    public static String requestId() {
        return REQUEST_ID.get();
    }

    /** Runs {@code work} with {@code requestId} as the current request id. */
    public static void run(String requestId, ThrowingRunnable work) throws Exception {
        String previous = REQUEST_ID.get();
        REQUEST_ID.set(requestId);
        try {
            work.run();
        } finally {
            if (previous == null) {
                REQUEST_ID.remove();
            } else {
                REQUEST_ID.set(previous);
            }
        }
    }

    /** Work that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
