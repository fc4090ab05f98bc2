package ai.coditect.shared.logging;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sends java.util.logging (ours, Helidon's, the Functions Framework's) to standard output as one JSON object per
 * line in Cloud Logging's structured format, so Cloud Functions and GKE pick up severity and fields.
 */
public final class CloudLogging {
    /** Held strongly: java.util.logging forgets a configured logger that nobody references. */
    private static final Logger PLATFORM = Logger.getLogger("ai.coditect");

    private CloudLogging() {
    }

    /**
     * Replaces the root handlers with a JSON-lines handler on {@code out}. {@code level} applies to the platform's
     * own loggers ({@code ai.coditect}); libraries log at INFO and above whatever it is, since some of them log
     * request headers at debug level.
     */
    public static void install(PrintStream out, Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new StreamHandler(out, new JsonLineFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        PLATFORM.setLevel(level);
    }

    public static void install(Level level) {
        install(System.out, level);
    }

    /** The level named by {@code name} (DEBUG and WARN accepted too), or INFO. */
    public static Level level(String name) {
        if (name == null || name.isBlank()) {
            return Level.INFO;
        }
        return switch (name.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "DEBUG", "FINE" -> Level.FINE;
            case "TRACE", "FINEST" -> Level.FINEST;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR", "SEVERE" -> Level.SEVERE;
            default -> Level.INFO;
        };
    }
}
