package io.spillway.testing;

import java.util.Optional;

/** Reads one sample out of the admin socket's Prometheus text. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /** The first sample of {@code metric} whose label set contains every one of {@code labels}. */
    public static Optional<Double> value(String text, String metric, String... labels) {
        for (String line : text.lines().toList()) {
            if (line.startsWith("#") || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                return Optional.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return Optional.empty();
    }
}
