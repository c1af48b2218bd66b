package io.spillway.admission;

import java.util.ArrayList;
import java.util.List;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Fixtures.fixed;
import static io.spillway.admission.Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowStartTest {

    @Test
    void slowStartLeavesThePodRateAlone() {
        // a cold pod's rate is not cut: what does not fit in its smaller limit waits in the backlog instead
        Harness h = Harness.of(settings(100, 100, fixed(1000)));
        h.capacity().set(0.1);

        assertEquals(100, h.admittedOf(100), "the whole configured burst");
        assertEquals(RejectReason.GLOBAL_RATE, h.enterAndRelease().reason());
    }

    @Test
    void theRampNeverTakesTheLimitBelowTheConfiguredMinimum() {
        Harness h = Harness.of(settings(1000, 1000, new ConcurrencySettings("fixed", 64, 16, 64)));
        h.capacity().set(0.1);
        assertEquals(16, h.controller().concurrencyLimit(), "a tenth of 64 would be 6: min 16 keeps the core busy");
        List<Permit> held = hold(h.controller(), 16);
        assertEquals(RejectReason.SLOW_START, h.controller().enter().reason());
        h.capacity().set(0.5);
        assertEquals(32, h.controller().concurrencyLimit());
        held.forEach(Permit::onIgnore);
    }

    @Test
    void aTenthOfTheCapacityScalesTheConcurrencyLimit() {
        Harness h = Harness.of(settings(1000, 1000, fixed(50)));
        h.capacity().set(0.1);
        assertEquals(5, h.controller().concurrencyLimit());
        assertEquals(0.1, h.controller().capacityFactor(), 1e-9);

        List<Permit> held = hold(h.controller(), 5);
        assertEquals(RejectReason.SLOW_START, h.controller().enter().reason());

        h.capacity().set(1.0);
        assertEquals(50, h.controller().concurrencyLimit());
        held.addAll(hold(h.controller(), 45));
        assertEquals(RejectReason.CONCURRENCY, h.controller().enter().reason(), "over the full limit: plain overload");

        h.capacity().set(0.1);
        assertEquals(RejectReason.CONCURRENCY, h.controller().enter().reason(),
                "would be refused at full capacity too");
        held.forEach(Permit::onIgnore);
        assertEquals(0, h.controller().inflight());
    }

    @Test
    void anEmptyConfiguredBucketIsGlobalRateEvenDuringSlowStart() {
        Harness h = Harness.of(settings(10, 10));
        assertEquals(10, h.admittedOf(10));
        h.capacity().set(0.5);

        assertEquals(RejectReason.GLOBAL_RATE, h.enterAndRelease().reason());
    }

    @Test
    void theFactorIsQuantizedToFivePercentSteps() {
        assertAll(
                () -> assertEquals(2, CapacitySteps.of(0.1)),
                () -> assertEquals(2, CapacitySteps.of(0.12)),
                () -> assertEquals(3, CapacitySteps.of(0.13)),
                () -> assertEquals(1, CapacitySteps.of(0.0)),
                () -> assertEquals(1, CapacitySteps.of(-3)),
                () -> assertEquals(20, CapacitySteps.of(0.99)),
                () -> assertEquals(20, CapacitySteps.of(7)),
                () -> assertEquals(20, CapacitySteps.of(Double.NaN), "a broken factor fails open"),
                () -> assertEquals(6, CapacitySteps.scale(64, 2)),
                () -> assertEquals(1, CapacitySteps.scale(3, 1), "never below 1"),
                () -> assertEquals(Long.MAX_VALUE / 20 * 19 + (Long.MAX_VALUE % 20) * 19 / 20,
                        CapacitySteps.scale(Long.MAX_VALUE, 19), "no overflow"));
    }

    private static List<Permit> hold(AdmissionController c, int n) {
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AdmissionDecision d = c.enter();
            assertTrue(d.admitted(), "request " + i);
            held.add(d.permit());
        }
        return held;
    }
}
