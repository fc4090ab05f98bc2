package ai.coditect.sidecar.bridge;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrade;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrader;
import io.helidon.webserver.http1.spi.Http1UpgradeResult;
import io.helidon.webserver.spi.ServerConnection;

import java.util.Base64;
import java.util.Optional;

/**
 * Answers {@code Upgrade: websocket} on every path: the request goes through the routing's filters first (the
 * authentication filter opens the backend's end), and only then is the connection switched and handed to a
 * {@link SocketBridge}. A request the filters let through without a backend connection is refused with 400.
 */
final class RelayUpgrader implements Http1RoutedUpgrader {
    private static final io.helidon.http.HeaderName KEY = HeaderNames.create("Sec-WebSocket-Key");
    private static final io.helidon.http.HeaderName VERSION = HeaderNames.create("Sec-WebSocket-Version");
    private static final io.helidon.http.HeaderName ACCEPT = HeaderNames.create("Sec-WebSocket-Accept");
    private static final io.helidon.http.HeaderName PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");

    private final WebSocketBridges bridges;

    RelayUpgrader(WebSocketBridges bridges) {
        this.bridges = bridges;
    }

    @Override
    public String supportedProtocol() {
        return "websocket";
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        return null; // only routed upgrades, which pass the authentication filter, are bridged
    }

    @Override
    public Optional<Http1RoutedUpgrade> routedUpgrade(ConnectionContext ctx, HttpPrologue prologue,
                                                     WritableHeaders<?> headers) {
        String key = validKey(prologue, headers);
        return Optional.of((response, requestHeaders) -> {
            PendingUpgrade pending = PendingUpgrade.take();
            if (pending == null) {
                response.send(Status.BAD_REQUEST_400);
                return Http1UpgradeResult.responded();
            }
            WritableHeaders<?> answer = WritableHeaders.create();
            answer.set(HeaderValues.create(HeaderNames.CONNECTION, "Upgrade"));
            answer.set(HeaderValues.create(HeaderNames.UPGRADE, "websocket"));
            answer.set(HeaderValues.create(ACCEPT, Upstream.accept(key)));
            String subprotocol = pending.upstream().subprotocol();
            if (subprotocol != null && !subprotocol.isEmpty()) {
                answer.set(HeaderValues.create(PROTOCOL, subprotocol));
            }
            // open (counted, pinged, closable) before the browser can see the answer; its frames wait for it
            SocketBridge bridge = bridges.bridge(ctx, pending);
            try {
                response.sendSwitchingProtocols(answer);
            } catch (RuntimeException e) {
                bridge.close(true);
                throw e;
            }
            bridge.started();
            return Http1UpgradeResult.upgraded(bridge);
        });
    }

    /** The request's Sec-WebSocket-Key, after checking that this is a WebSocket handshake the sidecar speaks. */
    private static String validKey(HttpPrologue prologue, Headers headers) {
        if (prologue.method() != Method.GET) {
            throw badRequest("WebSocket upgrade must use GET");
        }
        String key = headers.first(KEY).orElseThrow(() -> badRequest("Missing Sec-WebSocket-Key header"));
        try {
            if (Base64.getDecoder().decode(key).length != 16) {
                throw badRequest("Invalid Sec-WebSocket-Key header");
            }
        } catch (IllegalArgumentException e) {
            throw badRequest("Invalid Sec-WebSocket-Key header");
        }
        if (!headers.first(VERSION).orElse("13").equals("13")) {
            throw RequestException.builder()
                    .type(DirectHandler.EventType.BAD_REQUEST)
                    .message("Unsupported WebSocket Version")
                    .header(HeaderValues.create(VERSION, "13"))
                    .build();
        }
        return key;
    }

    private static RequestException badRequest(String message) {
        return RequestException.builder().type(DirectHandler.EventType.BAD_REQUEST).message(message).build();
    }
}
