package ai.coditect.sidecar;

import ai.coditect.shared.config.Environment;
import ai.coditect.shared.logging.CloudLogging;
import ai.coditect.sidecar.bridge.HostHeader;
import ai.coditect.sidecar.host.SidecarHost;

import java.io.IOException;
import java.time.Clock;

/**
 * Starts the sidecar from its environment; SIGTERM drains and stops it. With the argument {@code host} it starts
 * a {@link SidecarHost} instead, for the local platform: {@code CODITECT_SIDECAR_HOST_PORT} (0 for any) and
 * {@code CODITECT_SIDECAR_HOST_TOKEN}; hosted sidecars are then started over its loopback control API. With the
 * argument {@code train} it runs the {@link Training} run for the image's AOT cache and exits.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        // the process's own choice, made before any HTTP client exists: Theia must see the browser's Host
        if (System.getProperty(HostHeader.PROPERTY) == null) {
            System.setProperty(HostHeader.PROPERTY, "host");
        }
        CloudLogging.install(CloudLogging.level(System.getenv("CODITECT_LOG_LEVEL")));
        if (args.length > 0 && args[0].equals("train")) {
            Training.Run run = Training.run(Clock.systemUTC());
            System.out.println("coditect-sidecar training answers=" + run.answers());
            return; // the JVM exits once the sidecar's threads have ended, and writes -XX:AOTCacheOutput then
        }
        if (args.length > 0 && args[0].equals("host")) {
            Environment env = new Environment(System.getenv());
            SidecarHost host = SidecarHost.start(env.integer("CODITECT_SIDECAR_HOST_PORT", 0),
                    env.required("CODITECT_SIDECAR_HOST_TOKEN", "the local platform's token for this host."),
                    Clock.systemUTC());
            // the local platform reads the port from this line when it asked for any free one
            System.out.println("coditect-sidecar-host port=" + host.port());
            Runtime.getRuntime().addShutdownHook(new Thread(host::close, "coditect-sidecar-host-shutdown"));
            return;
        }
        Sidecar sidecar = Sidecar.start(SidecarConfig.fromEnvironment(System.getenv()), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "coditect-sidecar-shutdown"));
    }
}
