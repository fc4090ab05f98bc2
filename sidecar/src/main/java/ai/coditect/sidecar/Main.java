package ai.coditect.sidecar;

import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.sidecar.bridge.HostHeader;

import java.time.Clock;

/** Starts the sidecar from its environment; SIGTERM drains and stops it. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // the process's own choice, made before any HTTP client exists: Theia must see the browser's Host
        if (System.getProperty(HostHeader.PROPERTY) == null) {
            System.setProperty(HostHeader.PROPERTY, "host");
        }
        CloudLogging.install(CloudLogging.level(System.getenv("CODITECT_LOG_LEVEL")));
        Sidecar sidecar = Sidecar.start(SidecarConfig.fromEnvironment(System.getenv()), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "coditect-sidecar-shutdown"));
    }
}
