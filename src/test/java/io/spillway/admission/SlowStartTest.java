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
    void aTenthOfTheCapacityScalesTheRateAndSaysSlowStart() {
        Harness h = Harness.of(settings(100, 100, fixed(50)));
        h.capacity().set(0.1);

        assertEquals(10, h.admittedOf(10), "a tenth of the burst");
        AdmissionDecision refused = h.enterAndRelease();
        assertEquals(RejectReason.SLOW_START, refused.reason(), "would have passed at full capacity");
        assertEquals(503, refused.status());
        assertEquals(3, refused.retryAfterSeconds());
        assertEquals(90, h.controller().globalTokens(), "the refused request gave its token back");

        h.clock().advanceMillis(1000); // scaled refill: 10/s
        assertEquals(10, h.admittedOf(20));

        h.capacity().set(1.0);
        assertEquals(70, h.admittedOf(70), "full capacity: the configured bucket is all that counts");
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

    @Test
    void rampingUpKeepsTheTokensInsteadOfGrantingAFreshBurst() {
        Harness h = Harness.of(settings(100, 100, fixed(1000)));
        h.capacity().set(0.1);
        assertEquals(5, h.admittedOf(5), "half of the scaled burst of 10");

        h.capacity().set(0.2);
        assertEquals(5, h.admittedOf(20), "the step up raises the ceiling, not the tokens left");
        h.clock().advanceMillis(100); // 20/s now: 2 tokens
        assertEquals(2, h.admittedOf(5));
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
