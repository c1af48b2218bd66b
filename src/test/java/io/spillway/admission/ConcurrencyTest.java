package io.spillway.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Fixtures.PLENTY;
import static io.spillway.admission.Fixtures.fixed;
import static io.spillway.admission.Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConcurrencyTest {

    @Test
    void permitsBeyondTheLimitAreShedAndReleaseFreesASlot() {
        Harness h = Harness.of(settings(100, 100, fixed(3)));
        AdmissionController c = h.controller();
        List<Permit> held = hold(c, 3);

        AdmissionDecision shed = c.enter();

        assertEquals(RejectReason.CONCURRENCY, shed.reason());
        assertEquals(503, shed.status());
        assertEquals(3, shed.retryAfterSeconds());
        assertEquals(97, c.globalTokens(), "the shed request gave its rate token back");
        assertEquals(3, c.inflight());

        held.get(0).onSuccess();
        assertEquals(2, c.inflight());
        assertTrue(c.enter().admitted());
        assertEquals(3, c.inflight());
    }

    @Test
    void onlyTheFirstCallOnAPermitCounts() {
        Harness h = Harness.of(settings(100, 100, fixed(3)));
        AdmissionController c = h.controller();
        List<Permit> held = hold(c, 3);
        Permit permit = held.get(0);

        permit.onSuccess();
        permit.onSuccess();
        permit.onIgnore();
        permit.onDropped();

        assertEquals(2, c.inflight());
        assertEquals(1, h.metrics().latencies.size(), "one latency sample for one permit");
    }

    @Test
    void latencyIsMeasuredOnTheClockFromEnterToSuccess() {
        Harness h = Harness.of(settings(100, 100, fixed(3)));
        Permit permit = h.controller().enter().permit();
        h.clock().advanceMillis(42);
        permit.onSuccess();

        Permit dropped = h.controller().enter().permit();
        h.clock().advanceMillis(1000);
        dropped.onDropped();

        assertEquals(List.of(42_000_000L), h.metrics().latencies, "dropped publishes are not publish latencies");
    }

    @Test
    void ignoredPermitsDoNotTeachTheLimit() {
        Harness ignoring = gradient2(20, 4, 200);
        Harness succeeding = gradient2(20, 4, 200);

        round(ignoring, 10, Permit::onIgnore);
        round(succeeding, 10, Permit::onSuccess);

        assertEquals(20, ignoring.controller().concurrencyLimit());
        assertTrue(succeeding.controller().concurrencyLimit() > 20,
                "steady low latency at the limit grows it: " + succeeding.controller().concurrencyLimit());
    }

    @Test
    void gradient2ShrinksWhenLatencyRisesAndRecoversWhenItFalls() {
        Harness h = gradient2(20, 4, 200);

        for (int i = 0; i < 30; i++) {
            round(h, 10, Permit::onSuccess);
        }
        int healthy = h.controller().concurrencyLimit();
        // a sharp rise; Gradient2's long-term average absorbs a sustained one, so keep it short
        for (int i = 0; i < 3; i++) {
            round(h, 200, Permit::onSuccess);
        }
        int congested = h.controller().concurrencyLimit();
        for (int i = 0; i < 20; i++) {
            round(h, 10, Permit::onSuccess);
        }
        int recovered = h.controller().concurrencyLimit();

        assertTrue(healthy > 40, "grows while latency is flat: " + healthy);
        assertTrue(congested < healthy / 2, "shrinks when latency rises 20x: " + healthy + " -> " + congested);
        assertTrue(congested >= 4, "never below min: " + congested);
        assertTrue(recovered > 2 * congested, "recovers when latency falls back: " + congested + " -> " + recovered);
    }

    @Test
    void droppedPublishesTellVegasToBackOff() {
        Harness dropping = vegas();
        Harness succeeding = vegas();

        for (int i = 0; i < 5; i++) {
            round(dropping, 10, Permit::onDropped);
            round(succeeding, 10, Permit::onSuccess);
        }

        assertTrue(dropping.controller().concurrencyLimit() < 50,
                "drops shrink the limit: " + dropping.controller().concurrencyLimit());
        assertTrue(succeeding.controller().concurrencyLimit() > 50,
                "the same latency without drops grows it: " + succeeding.controller().concurrencyLimit());
    }

    @Test
    void theLearnedLimitStaysWithinMinAndMax() {
        Harness h = Harness.of(settings(PLENTY, PLENTY, new ConcurrencySettings("vegas", 10, 8, 12)));
        for (int i = 0; i < 20; i++) {
            round(h, 10, Permit::onDropped);
        }
        assertEquals(8, h.controller().concurrencyLimit(), "Vegas has no floor of its own; min applies");
        for (int i = 0; i < 40; i++) {
            round(h, 10, Permit::onSuccess);
        }
        assertEquals(12, h.controller().concurrencyLimit());
    }

    @Test
    void racingThreadsNeverExceedTheLimit() throws Exception {
        Harness h = Harness.of(settings(PLENTY, PLENTY, fixed(4)));
        AdmissionController c = h.controller();
        AtomicInteger highest = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        List<AdmissionDecision> unexpected = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2_000; i++) {
                    AdmissionDecision d = c.enter();
                    if (d.admitted()) {
                        admitted.incrementAndGet();
                        highest.accumulateAndGet(c.inflight(), Math::max);
                        Thread.yield();
                        d.permit().onSuccess();
                    } else if (d.reason() != RejectReason.CONCURRENCY) {
                        unexpected.add(d);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            assertTrue(thread.join(Duration.ofSeconds(60)), "thread finished");
        }
        assertEquals(List.of(), unexpected);
        assertEquals(0, c.inflight());
        assertTrue(highest.get() <= 4, "in flight peaked at " + highest.get());
        assertTrue(admitted.get() > 0);
    }

    private static Harness gradient2(int initial, int min, int max) {
        return Harness.of(settings(PLENTY, PLENTY, new ConcurrencySettings("gradient2", initial, min, max)));
    }

    private static Harness vegas() {
        return Harness.of(settings(PLENTY, PLENTY, new ConcurrencySettings("vegas", 50, 1, 500)));
    }

    /** Fills the current limit with concurrent requests that each take {@code rttMillis}, then ends them all. */
    private static void round(Harness h, long rttMillis, Consumer<Permit> end) {
        List<Permit> held = hold(h.controller(), h.controller().concurrencyLimit());
        h.clock().advanceMillis(rttMillis);
        held.forEach(end);
        assertEquals(0, h.controller().inflight());
    }

    private static List<Permit> hold(AdmissionController c, int n) {
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AdmissionDecision d = c.enter();
            assertTrue(d.admitted(), () -> "request " + held.size() + " of " + n + ": " + d);
            held.add(d.permit());
        }
        return held;
    }
}
