package ai.coditect.shared.logging;

import ai.coditect.shared.json.FlatJson;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * One log record as one line of JSON: Cloud Logging's {@code severity}, {@code message} and {@code time}, the
 * logger, the request id of the request being served (if any), the fields of a {@link LogFields} parameter,
 * and the stack trace of a thrown exception. Anything that looks like a bearer token or a JWT is redacted, so a
 * library that logs request headers at debug level cannot leak credentials. Written with {@link FlatJson}: the
 * first log line of a process comes before anything else needs the databind mapper.
 */
public final class JsonLineFormatter extends Formatter {
    private static final Pattern CREDENTIALS = Pattern.compile(
            "(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+|eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");

    @Override
    public String format(LogRecord record) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("severity", severity(record.getLevel()));
        line.put("message", redact(formatMessage(record)));
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
            line.put("stack_trace", redact(trace.toString()));
        }
        return FlatJson.string(line) + System.lineSeparator();
    }

    @Override
    public String formatMessage(LogRecord record) {
        Object[] params = record.getParameters();
        if (params != null && params.length == 1 && params[0] instanceof LogFields) {
            return record.getMessage();
        }
        return super.formatMessage(record);
    }

    static String redact(String text) {
        if (text == null) {
            return null;
        }
        return CREDENTIALS.matcher(text).replaceAll(m -> m.group(1) != null ? m.group(1) + "[redacted]" : "[redacted]");
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
