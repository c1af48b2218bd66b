package io.spillway.lifecycle;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.spillway.admission.RejectReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final BrokerHealth health = new BrokerHealth(3, 2, 2);

    private Lifecycle lifecycle(Duration slowStart, LifecycleSettings.BrokerDownReadiness policy) {
        return new Lifecycle(health, new SlowStart(slowStart, 0.1, 1.0), policy, now::get);
    }

    @Test
    void gateRefusesUntilReadyAndWhileClosing() {
        Lifecycle l = lifecycle(Duration.ZERO, LifecycleSettings.BrokerDownReadiness.STAY_READY);
        assertEquals(Optional.of(RejectReason.WARMING), l.refusal());
        assertFalse(l.isReady());
        assertTrue(l.warming());
        assertEquals(Optional.of(RejectReason.WARMING), l.refusal());
        assertTrue(l.ready());
        assertEquals(Optional.empty(), l.refusal());
        assertTrue(l.isReady());
        l.draining();
        assertFalse(l.isReady(), "readiness goes down at once on SIGTERM");
        assertEquals(Optional.empty(), l.refusal(), "still serving during the drain delay");
        l.closing();
        assertEquals(Optional.of(RejectReason.DRAINING), l.refusal());
    }

    @Test
    void openCircuitRefusesAsBrokerDown() {
        Lifecycle l = lifecycle(Duration.ZERO, LifecycleSettings.BrokerDownReadiness.STAY_READY);
        l.warming();
        l.ready();
        health.onFailure();
        health.onFailure();
        assertEquals(Optional.empty(), l.refusal(), "two failures are below the breaker's threshold of three");
        health.onFailure();
        assertEquals(Optional.of(RejectReason.BROKER_DOWN), l.refusal());
        assertTrue(l.isReady(), "stay-ready keeps the pod in the load balancer during an outage");
        health.onSuccess();
        assertEquals(Optional.empty(), l.refusal(), "the first success closes the circuit");
    }

    @Test
    void unreadyPolicyHasHysteresis() {
        Lifecycle l = lifecycle(Duration.ZERO, LifecycleSettings.BrokerDownReadiness.UNREADY);
        l.warming();
        l.ready();
        health.onFailure();
        assertTrue(l.isReady(), "one failure is not enough to go down");
        health.onFailure();
        assertFalse(l.isReady());
        health.onSuccess();
        assertFalse(l.isReady(), "one success is not enough to come back");
        health.onSuccess();
        assertTrue(l.isReady());
    }

    @Test
    void warmupFailureGoesBackToStarting() {
        Lifecycle l = lifecycle(Duration.ZERO, LifecycleSettings.BrokerDownReadiness.STAY_READY);
        l.warming();
        assertTrue(l.warmupFailed());
        assertEquals(LifecycleState.STARTING, l.state());
        assertFalse(l.ready(), "cannot become ready without warming up");
    }

    @Test
    void slowStartRampsFromTheFloorToFullOverTheWindow() {
        Lifecycle l = lifecycle(Duration.ofSeconds(30), LifecycleSettings.BrokerDownReadiness.STAY_READY);
        l.warming();
        l.ready();
        assertEquals(0.1, l.current(), 1e-9, "right after ready: the floor");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(0.1, l.current(), 1e-9, "1/30 of the window is still below the floor");
        now.addAndGet(Duration.ofSeconds(14).toNanos());
        assertEquals(0.5, l.current(), 1e-9, "half way, linear with aggression 1");
        now.addAndGet(Duration.ofSeconds(15).toNanos());
        assertEquals(1.0, l.current(), 1e-9, "full capacity at the window's end");
    }

    @Test
    void aggressionRampsFasterEarly() {
        SlowStart curve = new SlowStart(Duration.ofSeconds(10), 0.1, 2.0);
        assertEquals(Math.sqrt(0.25), curve.factor(Duration.ofMillis(2500).toNanos()), 1e-9);
        assertEquals(1.0, new SlowStart(Duration.ZERO, 0.1, 1.0).factor(0), 1e-9, "0s disables the ramp");
    }
}
