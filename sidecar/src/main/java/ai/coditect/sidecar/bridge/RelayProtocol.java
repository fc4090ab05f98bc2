package ai.coditect.sidecar.bridge;

import io.helidon.webserver.spi.ProtocolConfig;

/**
 * The sidecar's WebSocket protocol as a Helidon protocol configuration: added to the server in place of Helidon's
 * own WebSocket support, it carries the bridges to the upgrader that {@link RelayUpgradeProvider} makes from it.
 */
public record RelayProtocol(WebSocketBridges bridges) implements ProtocolConfig {
    static final String TYPE = "coditect-websocket-relay";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public String type() {
        return TYPE;
    }
}
