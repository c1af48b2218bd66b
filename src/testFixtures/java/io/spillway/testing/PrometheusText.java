package io.spillway.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples out of the admin port's Prometheus text ({@code /observe/metrics}): a series is matched by its exact
 * name and by the labels given (others on the series are ignored; {@code Map.of("app", "")} asks for an empty one).
 */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PrometheusText() {
    }

    /** Values of every series of {@code name} that carries all of {@code labels}, in the order of the text. */
    public static List<Double> matching(String text, String name, Map<String, String> labels) {
        List<Double> values = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> present = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(3) == null ? "" : m.group(3));
            while (l.find()) {
                present.put(l.group(1), l.group(2));
            }
            if (present.entrySet().containsAll(labels.entrySet())) {
                values.add(Double.parseDouble(m.group(4)));
            }
        }
        return values;
    }

    /** The first matching series' value. */
    public static Optional<Double> value(String text, String name, Map<String, String> labels) {
        return matching(text, name, labels).stream().findFirst();
    }

    public static Optional<Double> value(String text, String name) {
        return value(text, name, Map.of());
    }

    /** The value of the one matching series; fails when several match (the labels do not name one series). */
    public static Optional<Double> only(String text, String name, Map<String, String> labels) {
        List<Double> values = matching(text, name, labels);
        if (values.size() > 1) {
            throw new AssertionError(values.size() + " series of " + name + " match " + labels + " in\n" + text);
        }
        return values.stream().findFirst();
    }
}
