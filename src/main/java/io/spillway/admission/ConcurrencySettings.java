package io.spillway.admission;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The adaptive in-flight limit: {@code algorithm} is {@code gradient2}, {@code vegas} or {@code fixed}
 * (Netflix concurrency-limits); the limit starts at {@code initial} and stays within [{@code min}, {@code max}].
 * A {@code fixed} limit is {@code initial} for good.
 */
public record ConcurrencySettings(String algorithm, int initial, int min, int max) {
    static final String GRADIENT2 = "gradient2";
    static final String VEGAS = "vegas";
    static final String FIXED = "fixed";
    private static final Set<String> ALGORITHMS = Set.of(GRADIENT2, VEGAS, FIXED);
    private static final String KEY = "spillway.admission.concurrency.";

    public ConcurrencySettings {
        Objects.requireNonNull(algorithm, KEY + "algorithm");
        algorithm = algorithm.strip().toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException(KEY + "algorithm must be one of gradient2, vegas, fixed, got '"
                    + algorithm + "'");
        }
        if (min < 1) {
            throw new IllegalArgumentException(KEY + "min must be >= 1, got " + min);
        }
        if (max < min) {
            throw new IllegalArgumentException(KEY + "max must be >= " + KEY + "min (" + min + "), got " + max);
        }
        if (initial < min || initial > max) {
            throw new IllegalArgumentException(KEY + "initial must be between min (" + min + ") and max (" + max
                    + "), got " + initial);
        }
    }

    /** The shipped defaults: gradient2 starting at 64 within [8, 512]. */
    public static ConcurrencySettings defaults() {
        return new ConcurrencySettings(GRADIENT2, 64, 8, 512);
    }
}
