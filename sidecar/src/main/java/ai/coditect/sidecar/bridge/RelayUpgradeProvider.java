package ai.coditect.sidecar.bridge;

import io.helidon.common.Weight;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;

/**
 * Found by Helidon's service loader (META-INF/services): makes the sidecar's WebSocket upgrader for a server
 * configured with a {@link RelayProtocol}. Weighted above Helidon's own WebSocket provider, so that where both
 * are present (tests) the sidecar's upgrader is the one for {@code Upgrade: websocket}.
 */
@Weight(200)
public final class RelayUpgradeProvider implements Http1UpgradeProvider<RelayProtocol> {
    /** For the service loader. */
    public RelayUpgradeProvider() {
    }

    @Override
    public String protocolType() {
        return RelayProtocol.TYPE;
    }

    @Override
    public Class<RelayProtocol> protocolConfigType() {
        return RelayProtocol.class;
    }

    @Override
    public Http1Upgrader create(RelayProtocol config, ProtocolConfigs configs) {
        return new RelayUpgrader(config.bridges());
    }
}
