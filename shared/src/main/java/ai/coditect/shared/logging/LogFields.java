package ai.coditect.shared.logging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Structured fields of one log line (counts, durations, ids), logged as JSON fields rather than text:
 * {@code LogFields.of("deleted", 10, "millis", 42).log(logger, Level.INFO, "cleanup finished")}.
 * Never put a password or a token in here.
 */
public record LogFields(Map<String, Object> values) {
    public static LogFields of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return new LogFields(values);
    }

    public void log(Logger logger, Level level, String message) {
        log(logger, level, message, null);
    }

    public void log(Logger logger, Level level, String message, Throwable thrown) {
        if (!logger.isLoggable(level)) {
            return;
        }
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger.getName());
        record.setSourceClassName(logger.getName());
        record.setSourceMethodName("");
        record.setParameters(new Object[] {this});
        record.setThrown(thrown);
        logger.log(record);
    }
}
