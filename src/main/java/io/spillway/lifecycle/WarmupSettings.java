package io.spillway.lifecycle;

import java.time.Duration;

/**
 * How a new pod warms up before it is ready and ramps up after.
 *
 * @param requests   signed synthetic publishes sent through the public listener before ready (0 skips)
 * @param slowStart  the ramp's length after ready; zero disables it
 * @param floor      the share of capacity right after ready
 * @param aggression Envoy's aggression: 1 is linear, larger ramps faster early
 */
public record WarmupSettings(int requests, Duration slowStart, double floor, double aggression) {
    public WarmupSettings {
        if (requests < 0) {
            throw new IllegalArgumentException("spillway.warmup.requests must be >= 0");
        }
        if (slowStart.isNegative()) {
            throw new IllegalArgumentException("spillway.warmup.slow-start must be >= 0s");
        }
        if (!(floor > 0 && floor <= 1)) {
            throw new IllegalArgumentException("spillway.warmup.slow-start-floor must be in (0, 1]");
        }
        if (!(aggression > 0)) {
            throw new IllegalArgumentException("spillway.warmup.slow-start-aggression must be > 0");
        }
    }

    /**
     * The shipped defaults (spillway-defaults.yaml). The floor leaves 1,024 of the default 4,096 slots at ready: 409
     * squeezed a flood into the backlog and cost a pod 6-31 % of its first 40 s (NOTES-bench.md, round 5).
     */
    public static WarmupSettings defaults() {
        return new WarmupSettings(200, Duration.ofSeconds(30), 0.25, 1.0);
    }
}
