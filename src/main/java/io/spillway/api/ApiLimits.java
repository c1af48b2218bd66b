package io.spillway.api;

import java.time.Duration;

/**
 * Request limits of the publish API (SPEC defaults in {@link #DEFAULTS}).
 *
 * @param maxBodyBytes    whole request body; larger is 413 without reading the rest
 * @param maxDataBytes    UTF-8 size of one event's {@code data}; larger is 413
 * @param maxChannels     channels of one event
 * @param maxBatch        items of one batch
 * @param maxNameLength   event and channel name length
 * @param timestampWindow accepted skew of {@code auth_timestamp}, both ways
 */
public record ApiLimits(int maxBodyBytes, int maxDataBytes, int maxChannels, int maxBatch, int maxNameLength,
                        Duration timestampWindow) {
    public static final ApiLimits DEFAULTS = new ApiLimits(256 * 1024, 10240, 100, 10, 200, Duration.ofSeconds(600));

    public ApiLimits {
        positive("max-body-bytes", maxBodyBytes);
        positive("max-data-bytes", maxDataBytes);
        positive("max-channels", maxChannels);
        positive("max-batch", maxBatch);
        positive("max-name-length", maxNameLength);
        if (timestampWindow.isNegative() || timestampWindow.isZero()) {
            throw new IllegalArgumentException("spillway.limits.timestamp-window must be > 0");
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("spillway.limits." + key + " must be > 0, got " + value);
        }
    }
}
