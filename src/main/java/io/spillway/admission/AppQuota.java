package io.spillway.admission;

import java.util.Objects;

/**
 * One app's message rate: {@code rate} messages per second refilled into a bucket of {@code burst}.
 * A message is one (event, channel) pair, i.e. one broker PUBLISH.
 */
public record AppQuota(String appId, long rate, long burst) {
    public AppQuota {
        Objects.requireNonNull(appId, "appId");
        if (rate <= 0) {
            throw new IllegalArgumentException("spillway.apps[id=" + appId + "].rate must be > 0, got " + rate);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("spillway.apps[id=" + appId + "].burst must be >= 1, got " + burst);
        }
    }
}
