package io.spillway.admission;

import java.time.Duration;
import java.util.Objects;

/**
 * Admission configuration ({@code spillway.admission.*}). Invalid values fail here with a message
 * naming the key, so a bad config stops the process at start and a bad hot reload is refused.
 *
 * @param enabled         false turns rates and the concurrency limit off (the lifecycle gate still applies)
 * @param globalRate      requests per second this pod admits
 * @param globalBurst     capacity of the pod-wide bucket
 * @param defaultAppRate  messages per second for apps without their own {@link AppQuota}
 * @param defaultAppBurst bucket capacity for those apps
 * @param concurrency     the adaptive in-flight limit
 * @param retryAfter      Retry-After sent with 503s (rounded up to whole seconds, at least 1)
 */
public record AdmissionSettings(boolean enabled, long globalRate, long globalBurst, long defaultAppRate,
                                long defaultAppBurst, ConcurrencySettings concurrency, Duration retryAfter) {
    private static final String KEY = "spillway.admission.";

    public AdmissionSettings {
        positive(globalRate, "global-rate");
        atLeastOne(globalBurst, "global-burst");
        positive(defaultAppRate, "default-app-rate");
        atLeastOne(defaultAppBurst, "default-app-burst");
        Objects.requireNonNull(concurrency, KEY + "concurrency");
        Objects.requireNonNull(retryAfter, KEY + "retry-after");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException(KEY + "retry-after must be > 0, got " + retryAfter);
        }
    }

    /** The shipped defaults (spillway-defaults.yaml). */
    public static AdmissionSettings defaults() {
        return new AdmissionSettings(true, 100_000, 100_000, 10_000, 20_000, ConcurrencySettings.defaults(),
                Duration.ofSeconds(1));
    }

    /** The quota of an app that has no rate of its own. */
    public AppQuota defaultQuota(String appId) {
        return new AppQuota(appId, defaultAppRate, defaultAppBurst);
    }

    /** {@link #retryAfter} as whole seconds for the header: rounded up, at least 1. */
    long retryAfterSeconds() {
        long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(KEY + key + " must be > 0, got " + value);
        }
    }

    private static void atLeastOne(long value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException(KEY + key + " must be >= 1, got " + value);
        }
    }
}
