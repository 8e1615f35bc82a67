package io.jenkins.plugins.modeldeploy.jenkins.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in a Jenkinsfile: {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** Parses {@code text}; the message names {@code field} and shows what was written. */
    public static Duration parse(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(field + ": a duration is required, e.g. 30s, 5m or 2h");
        }
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(trimmed);
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
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" is not a duration; write e.g. 30s, 5m, 2h,"
                    + " 1d or ISO-8601 like PT1H30M");
        }
    }

    /** Like {@link #parse} but the duration must also be positive. */
    public static Duration parsePositive(String text, String field) {
        Duration d = parse(text, field);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(field + ": must be longer than zero, was \"" + text + "\"");
        }
        return d;
    }
}
