package ai.coditect.sidecar;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpClientOnFirstUseTest {
    @Test
    void everyCallerGetsTheOneClientEvenWhenTheyAskAtOnce() throws Exception {
        try (HttpClientOnFirstUse http = new HttpClientOnFirstUse()) {
            Set<HttpClient> seen = ConcurrentHashMap.newKeySet();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                threads.add(Thread.startVirtualThread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.add(http.get());
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1, seen.size());
            assertSame(seen.iterator().next(), http.get());
        }
    }

    @Test
    void aClientAskedForAfterCloseFailsItsCallsAsAClosedClientDoes() {
        HttpClientOnFirstUse http = new HttpClientOnFirstUse();
        http.close(); // closed before any use: nothing was built, nothing leaks
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/")).build();
        assertTrue(http.get().isTerminated(), "the client asked for after close is open");
        assertThrows(IOException.class, () -> http.get().send(request, HttpResponse.BodyHandlers.discarding()));
    }
}
