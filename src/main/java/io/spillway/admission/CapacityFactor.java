package io.spillway.admission;

/**
 * The share (0..1) of the configured global rate and concurrency limit the pod may use right now;
 * the lifecycle's slow start ramps it up after the pod becomes ready. Read on every {@code enter()}:
 * implementations must be cheap and non-blocking.
 */
@FunctionalInterface
public interface CapacityFactor {
    double current();

    /** No slow start: always the full capacity. */
    static CapacityFactor full() {
        return () -> 1.0;
    }
}
