package io.spillway.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human durations used in Spillway's YAML ("500ms", "1s", "2m", "1h") and ISO-8601 ("PT1S"). */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private Durations() {
    }

    static Duration parse(String key, String text) {
        Duration duration;
        try {
            duration = parse(text);
        } catch (RuntimeException e) {
            throw new InvalidConfigException(key + ": '" + text + "' is not a duration (use e.g. 500ms, 1s, 2m)");
        }
        try {
            duration.toMillis(); // what every user of a setting does with it: too large must fail here, clearly
        } catch (ArithmeticException e) {
            throw new InvalidConfigException(key + ": '" + text + "' is too large a duration");
        }
        return duration;
    }

    private static Duration parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
        return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    }
}
