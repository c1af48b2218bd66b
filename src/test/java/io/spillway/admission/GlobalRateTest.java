package io.spillway.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobalRateTest {

    @Test
    void burstThenRefillAtTheConfiguredRate() {
        Harness h = Harness.of(settings(10, 5));

        assertEquals(5, h.admittedOf(5), "the full burst passes at once");
        AdmissionDecision refused = h.enterAndRelease();
        assertAll(
                () -> assertEquals(RejectReason.GLOBAL_RATE, refused.reason()),
                () -> assertEquals(429, refused.status()),
                () -> assertEquals(1, refused.retryAfterSeconds()),
                () -> assertEquals(10, refused.limit()),
                () -> assertEquals(0, refused.remaining()),
                () -> assertNull(refused.permit()));

        h.clock().advanceMillis(100); // 10/s: one token per 100 ms
        assertEquals(1, h.admittedOf(3));

        h.clock().advanceMillis(60_000); // refill never exceeds the burst
        assertEquals(5, h.admittedOf(20));
    }

    /** The global and the app bucket are shared by every request thread: no token may be granted twice. */
    @Test
    void concurrentCallersNeverGetMoreThanTheBuckets() throws InterruptedException {
        int burst = 20_000;
        Harness h = Harness.of(settings(1, burst), new AppQuota("a", 1, burst / 2));
        LongAdder entered = new LongAdder();
        LongAdder charged = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            callers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < burst / 2; i++) { // 8 x burst/2 = 4 x each bucket's tokens (the clock stands)
                    if (h.enterAndRelease().admitted()) {
                        entered.increment();
                    }
                    if (h.controller().charge("a", 1).admitted()) {
                        charged.increment();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread caller : callers) {
            caller.join();
        }
        assertEquals(burst, entered.sum(), "global tokens granted");
        assertEquals(burst / 2, charged.sum(), "app tokens granted");
    }

    @Test
    void admittedEntryCarriesPermitAndRemainingTokens() {
        Harness h = Harness.of(settings(10, 5));

        AdmissionDecision d = h.controller().enter();

        assertTrue(d.admitted());
        assertEquals(200, d.status());
        assertNotNull(d.permit());
        assertEquals(0, d.retryAfterSeconds());
        assertEquals(4, d.remaining());
        assertEquals(1, h.controller().inflight());
        d.permit().onSuccess();
        assertEquals(0, h.controller().inflight());
    }

    @Test
    void retryAfterRoundsTheWaitUpToWholeSeconds() {
        Harness fivePerSecond = Harness.of(settings(5, 1));
        assertTrue(fivePerSecond.enterAndRelease().admitted());
        // next token in 0.2 s
        assertEquals(1, fivePerSecond.enterAndRelease().retryAfterSeconds());

        // 1 per 1.5 s (2 tokens per 3 s is not expressible as a per-second rate, so use the app bucket)
        Harness app = Harness.of(Fixtures.withDefaultApp(settings(1000, 1000), 2, 4));
        assertTrue(app.controller().charge("a", 4).admitted());
        assertEquals(2, app.controller().charge("a", 3).retryAfterSeconds(), "3 tokens at 2/s = 1.5 s → 2");
        assertEquals(2, app.controller().charge("a", 4).retryAfterSeconds(), "4 tokens at 2/s = exactly 2 s → 2");
        app.clock().advanceMillis(1900);
        assertEquals(1, app.controller().charge("a", 4).retryAfterSeconds(), "0.1 s left → 1");
    }

    @Test
    void retryAfterArithmetic() {
        assertAll(
                () -> assertEquals(1, TokenBuckets.retryAfterSeconds(0)),
                () -> assertEquals(1, TokenBuckets.retryAfterSeconds(1)),
                () -> assertEquals(1, TokenBuckets.retryAfterSeconds(200_000_000L)),
                () -> assertEquals(1, TokenBuckets.retryAfterSeconds(1_000_000_000L)),
                () -> assertEquals(2, TokenBuckets.retryAfterSeconds(1_000_000_001L)),
                () -> assertEquals(2, TokenBuckets.retryAfterSeconds(1_500_000_000L)),
                () -> assertEquals(TokenBuckets.MAX_RETRY_AFTER_SECONDS, TokenBuckets.retryAfterSeconds(Long.MAX_VALUE)),
                () -> assertEquals(3, TokenBuckets.secondsUntilFull(0, 25, 10)),
                () -> assertEquals(1, TokenBuckets.secondsUntilFull(25, 25, 10)));
    }

    @Test
    void gateRefusesBeforeTheRateAndConsumesNothing() {
        Harness h = Harness.of(settings(10, 2));
        h.gate().refuse(RejectReason.DRAINING);

        AdmissionDecision d = h.controller().enter();

        assertEquals(RejectReason.DRAINING, d.reason());
        assertEquals(503, d.status());
        assertEquals(3, d.retryAfterSeconds(), "503s carry the configured retry-after");
        assertEquals(2, h.controller().globalTokens(), "a request refused by the gate takes no token");
        assertEquals(0, h.controller().inflight());

        h.gate().open();
        assertEquals(2, h.admittedOf(3));
        h.gate().refuse(RejectReason.BROKER_DOWN);
        assertEquals(RejectReason.BROKER_DOWN, h.controller().enter().reason(), "the gate wins over an empty bucket too");
        assertEquals(List.of("draining/null", "global_rate/null", "broker_down/null"), h.metrics().rejected);
    }

    @Test
    void disabledAdmitsEverythingButStillHonoursTheGate() {
        AdmissionSettings tight = Fixtures.withDefaultApp(settings(1, 1, new ConcurrencySettings("gradient2", 2, 1, 100)), 1, 1);
        Harness h = Harness.of(Fixtures.disabled(tight));

        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            AdmissionDecision d = h.controller().enter();
            assertTrue(d.admitted(), "request " + i);
            held.add(d.permit());
            assertTrue(h.controller().charge("app", 10).admitted());
        }
        assertEquals(50, h.controller().inflight(), "permits still count in flight");
        held.forEach(Permit::onSuccess);
        assertEquals(0, h.controller().inflight());
        assertEquals(2, h.controller().concurrencyLimit(), "no latency fed to the limit while disabled");

        h.gate().refuse(RejectReason.DRAINING);
        assertEquals(RejectReason.DRAINING, h.controller().enter().reason());

        h.gate().open();
        h.controller().reconfigure(tight, List.of());
        assertTrue(h.controller().enter().admitted());
        assertFalse(h.controller().enter().admitted(), "enabling again applies the rate");
    }
}
