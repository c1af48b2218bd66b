package io.spillway.lifecycle;

import java.time.Duration;

/**
 * Envoy's slow-start curve: {@code max(floor, (t/window)^(1/aggression))}, 1 once the window has passed, so a pod
 * that just became ready takes a growing share of its capacity instead of all of it at once.
 */
public record SlowStart(Duration window, double floor, double aggression) {

    /** The capacity factor {@code sinceReadyNanos} after the pod became ready. */
    public double factor(long sinceReadyNanos) {
        long windowNanos = window.toNanos();
        if (windowNanos <= 0 || sinceReadyNanos >= windowNanos) {
            return 1.0;
        }
        if (sinceReadyNanos <= 0) {
            return floor;
        }
        double progress = (double) sinceReadyNanos / windowNanos;
        return Math.max(floor, Math.pow(progress, 1.0 / aggression));
    }
}
