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
 * @param discardBytes    after a 413, how much more of the body is read and dropped so that a client still
 *                        uploading sees the answer rather than a reset; beyond it the connection is just closed
 */
public record ApiLimits(int maxBodyBytes, int maxDataBytes, int maxChannels, int maxBatch, int maxNameLength,
                        Duration timestampWindow, long discardBytes) {
    public static final ApiLimits DEFAULTS = new ApiLimits(256 * 1024, 10240, 100, 10, 200, Duration.ofSeconds(600),
                                                           32L * 1024 * 1024);

    public ApiLimits {
        positive("max-body-bytes", maxBodyBytes);
        positive("max-data-bytes", maxDataBytes);
        positive("max-channels", maxChannels);
        positive("max-batch", maxBatch);
        positive("max-name-length", maxNameLength);
        if (discardBytes < 0) {
            throw new IllegalArgumentException("spillway.limits.discard-bytes must be >= 0, got " + discardBytes);
        }
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
