package io.spillway.lifecycle;

import java.time.Duration;

/**
 * How the pod behaves when Redis fails and when it is asked to stop.
 *
 * @param brokerDownReadiness  what readiness does while Redis fails
 * @param unreadyAfterFailures consecutive broker failures before readiness goes DOWN ({@code UNREADY} policy)
 * @param readyAfterSuccesses  consecutive broker successes before it comes back UP
 * @param breakerFailures      consecutive broker failures that open the circuit (publishes then fail instantly)
 * @param probeInterval        how often the broker is probed (PING + a PUBLISH on the warm-up channel)
 * @param drainDelay           after SIGTERM, how long to keep serving while the load balancer notices
 * @param gracePeriod          then, how long admitted publishes may take to finish
 */
public record LifecycleSettings(BrokerDownReadiness brokerDownReadiness, int unreadyAfterFailures,
                                int readyAfterSuccesses, int breakerFailures, Duration probeInterval,
                                Duration drainDelay, Duration gracePeriod) {

    public enum BrokerDownReadiness {
        /** Stay ready and answer fast 503s: a fleet that turns unready at once empties the load balancer. */
        STAY_READY,
        /** Turn unready with hysteresis, for setups that route around a pod's own Redis. */
        UNREADY
    }

    public LifecycleSettings {
        if (unreadyAfterFailures < 1 || readyAfterSuccesses < 1 || breakerFailures < 1) {
            throw new IllegalArgumentException("spillway.lifecycle: unready-after-failures, ready-after-successes and "
                                                       + "breaker-failures must be >= 1");
        }
        if (probeInterval.toMillis() < 10) {
            throw new IllegalArgumentException("spillway.lifecycle.probe-interval must be >= 10ms");
        }
        if (drainDelay.isNegative() || gracePeriod.isNegative()) {
            throw new IllegalArgumentException("spillway.lifecycle.drain-delay and grace-period must be >= 0");
        }
    }
}
