package io.spillway.api;

import java.time.Duration;

/**
 * SSE watch streams ({@code spillway.stream}).
 *
 * @param heartbeat how often an idle stream sends a comment, which is also how a closed client is noticed
 * @param maxPerApp open streams one app may hold on this pod; one more is 429
 * @param maxPerPod open streams of all apps on this pod; one more is 503
 */
public record StreamSettings(Duration heartbeat, int maxPerApp, int maxPerPod) {
    public static final StreamSettings DEFAULTS = new StreamSettings(Duration.ofSeconds(15), 100, 1000);

    public StreamSettings {
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("spillway.stream.heartbeat must be > 0");
        }
        if (maxPerApp < 1 || maxPerPod < 1) {
            throw new IllegalArgumentException("spillway.stream.max-per-app and max-per-pod must be >= 1");
        }
    }
}
