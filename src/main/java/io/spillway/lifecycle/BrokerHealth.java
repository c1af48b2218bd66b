package io.spillway.lifecycle;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the pod knows about its broker from publishes and probes: a circuit breaker that opens after consecutive
 * failures (publishes then fail instantly, no Redis call, no waiting threads) and closes on the first success,
 * plus readiness hysteresis (N failures to go down, M successes to come back).
 * Lock-free: it is fed from every publish.
 */
public final class BrokerHealth {
    private final int breakerFailures;
    private final int unreadyAfterFailures;
    private final int readyAfterSuccesses;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger consecutiveSuccesses = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean open;
    private volatile boolean up = true;

    public BrokerHealth(int breakerFailures, int unreadyAfterFailures, int readyAfterSuccesses) {
        this.breakerFailures = breakerFailures;
        this.unreadyAfterFailures = unreadyAfterFailures;
        this.readyAfterSuccesses = readyAfterSuccesses;
    }

    public void onSuccess() {
        consecutiveFailures.set(0);
        open = false;
        if (!up && consecutiveSuccesses.incrementAndGet() >= readyAfterSuccesses) {
            up = true;
        }
    }

    public void onFailure() {
        consecutiveSuccesses.set(0);
        int failures = consecutiveFailures.incrementAndGet();
        if (failures >= breakerFailures && !open) {
            open = true;
            opened.incrementAndGet();
        }
        if (failures >= unreadyAfterFailures) {
            up = false;
        }
    }

    /** Whether publishes go to the broker; false while the circuit is open. */
    public boolean circuitClosed() {
        return !open;
    }

    /** The broker's state after hysteresis, for the {@code unready} readiness policy. */
    public boolean up() {
        return up;
    }

    /** How many times the circuit has opened since start. */
    public int timesOpened() {
        return opened.get();
    }
}
