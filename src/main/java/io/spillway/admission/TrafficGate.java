package io.spillway.admission;

import java.util.Optional;

/**
 * The lifecycle's say on whether traffic may enter at all (warming up, draining, broker down).
 * Read on every {@code enter()}: implementations must be cheap and non-blocking, ideally returning
 * pre-built {@code Optional}s.
 */
@FunctionalInterface
public interface TrafficGate {
    /** Empty when traffic may enter, otherwise why not (WARMING, DRAINING or BROKER_DOWN). */
    Optional<RejectReason> refusal();

    static TrafficGate open() {
        return Optional::empty;
    }
}
