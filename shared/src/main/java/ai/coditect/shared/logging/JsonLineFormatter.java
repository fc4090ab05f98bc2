package ai.coditect.shared.logging;

import ai.coditect.shared.json.Json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One log record as one line of JSON: Cloud Logging's {@code severity}, {@code message} and {@code time}, the
 * logger, the request id of the request being served (if any), the fields of a {@link LogFields} parameter,
 * and the stack trace of a thrown exception.
 */
public final class JsonLineFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("severity", severity(record.getLevel()));
        line.put("message", formatMessage(record));
        line.put("time", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("logger", record.getLoggerName());
        String requestId = RequestContext.requestId();
        if (requestId != null) {
            line.put("requestId", requestId);
        }
        Object[] params = record.getParameters();
        if (params != null) {
            for (Object p : params) {
                if (p instanceof LogFields fields) {
                    fields.values().forEach(line::putIfAbsent);
                }
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("stack_trace", trace.toString());
        }
        return Json.string(line) + System.lineSeparator();
    }

    @Override
    public String formatMessage(LogRecord record) {
        Object[] params = record.getParameters();
        if (params != null && params.length == 1 && params[0] instanceof LogFields) {
            return record.getMessage();
        }
        return super.formatMessage(record);
    }

    static String severity(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARNING";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}
