package ai.coditect.shared.config;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of environment variables for the configuration records, each failing with a message that names the
 * variable, says what is expected and gives an example ({@code NAME must be … e.g. NAME=…}). Durations read {@code 250ms}, {@code 90s}, {@code 30m}, {@code 12h},
 * {@code 7d} or ISO-8601 ({@code PT12H}).
 */
public final class Environment {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Map<String, String> values;

    public Environment(Map<String, String> values) {
        this.values = values;
    }

    public Optional<String> get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String get(String name, String fallback) {
        return get(name).orElse(fallback);
    }

    public String required(String name, String why) {
        return get(name).orElseThrow(() -> new IllegalArgumentException("Set " + name + ": " + why));
    }

    public int integer(String name, int fallback) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number; got '" + raw.get() + "'. e.g. "
                    + name + "=" + fallback);
        }
    }

    public Duration duration(String name, Duration fallback) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        Duration d = parseDuration(name, raw.get(), fallback);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive; got '" + raw.get() + "'. e.g. " + name + "="
                    + example(fallback));
        }
        return d;
    }

    /** Like {@link #duration} but accepts zero, which callers read as "off". */
    public Duration durationOrZero(String name, Duration fallback) {
        Optional<String> raw = get(name);
        return raw.isEmpty() ? fallback : parseDuration(name, raw.get(), fallback);
    }

    public URI url(String name, String fallback) {
        String raw = get(name, fallback);
        if (raw == null) {
            throw new IllegalArgumentException("Set " + name + " (an absolute URL). e.g. " + name
                    + "=https://coditect.example.com");
        }
        try {
            URI u = URI.create(raw);
            if (u.getScheme() != null && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be an absolute URL; got '" + raw + "'. e.g. " + name
                + "=" + (fallback != null && !fallback.equals(raw) ? fallback : "https://coditect.example.com"));
    }

    /** {@code d} as one would write it in the environment: {@code 15m}, {@code 12h}, {@code 90s}. */
    private static String example(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return "30s";
        }
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3_600 == 0 ? s / 3_600 + "h" : s % 60 == 0 ? s / 60 + "m"
                : s + "s";
    }

    private static Duration parseDuration(String name, String raw, Duration fallback) {
        Matcher m = SHORT_DURATION.matcher(raw.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(raw.toUpperCase(Locale.ROOT));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be a duration like 90s, 30m, 12h or PT12H; got '"
                    + raw + "'. e.g. " + name + "=" + example(fallback));
        }
    }
}
