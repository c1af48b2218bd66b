package io.spillway.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.spillway.admission.Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backlog in front of the concurrency limit: a burst larger than the limit waits and is served, newest first;
 * sustained overload (a backlog that stands, or one that overflows) is refused with 503 and Retry-After.
 */
@Timeout(20) // a waiter nobody grants or expires parks for good: fail, do not hang the suite
class BacklogTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private static ConcurrencySettings slots(int limit, int backlog, Duration maxWait, Duration standingWait) {
        return new ConcurrencySettings("fixed", limit, 1, limit, backlog, maxWait, standingWait);
    }

    @Test
    void aBurstTwentyTimesTheLimitIsAbsorbedWithoutARefusal() throws Exception {
        Harness h = Harness.of(settings(1_000_000, 1_000_000, slots(10, 1000, LONG, LONG)));
        AdmissionController c = h.controller();
        int burst = 200;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<AdmissionDecision>> decisions = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                decisions.add(CompletableFuture.supplyAsync(() -> {
                    AdmissionDecision d = c.enter();
                    if (d.admitted()) {
                        assertTrue(c.inflight() <= 10, "never more in flight than the limit");
                        Thread.yield();
                        d.permit().onSuccess();
                    }
                    return d;
                }, pool));
            }
            long admitted = 0;
            for (CompletableFuture<AdmissionDecision> d : decisions) {
                if (d.get(20, TimeUnit.SECONDS).admitted()) {
                    admitted++;
                }
            }
            assertEquals(burst, admitted, "every request of the burst was admitted");
        }
        assertEquals(0, c.inflight());
        assertTrue(h.metrics().rejected.isEmpty(), "no refusal: " + h.metrics().rejected);
    }

    /** One slot held and two requests waiting for it, the older queued first. */
    private record TwoWaiters(Harness h, Permit held, CompletableFuture<AdmissionDecision> older,
                              CompletableFuture<AdmissionDecision> newer) {
        static TwoWaiters queue() throws InterruptedException {
            Harness h = Harness.of(settings(1000, 1000, slots(1, 10, LONG, LONG)));
            AdmissionController c = h.controller();
            Permit held = c.enter().permit();
            CompletableFuture<AdmissionDecision> older = CompletableFuture.supplyAsync(c::enter, virtual());
            await(() -> waiting(c) == 1);
            CompletableFuture<AdmissionDecision> newer = CompletableFuture.supplyAsync(c::enter, virtual());
            await(() -> waiting(c) == 2);
            return new TwoWaiters(h, held, older, newer);
        }
    }

    @Test
    void whileTheBacklogDrainsWellAFreedSlotGoesToTheOldestWaiter() throws Exception {
        TwoWaiters w = TwoWaiters.queue();

        w.held().onSuccess();

        AdmissionDecision served = w.older().get(5, TimeUnit.SECONDS);
        assertTrue(served.admitted(), "first come, first served");
        assertFalse(w.newer().isDone());
        served.permit().onSuccess();
        assertTrue(w.newer().get(5, TimeUnit.SECONDS).admitted());
    }

    @Test
    void onceTheOldestHasWaitedHalfItsBudgetAFreedSlotGoesToTheNewestWaiter() throws Exception {
        TwoWaiters w = TwoWaiters.queue();
        w.h().clock().advance(LONG.dividedBy(2).plusMillis(1)); // the backlog is not keeping up: newest first

        w.held().onSuccess();

        AdmissionDecision served = w.newer().get(5, TimeUnit.SECONDS);
        assertTrue(served.admitted(), "the newest waiter got the slot");
        assertFalse(w.older().isDone(), "the older one still waits");
        assertEquals(1, w.h().controller().inflight(), "the slot was handed over, not freed and retaken");
        served.permit().onSuccess();
        assertTrue(w.older().get(5, TimeUnit.SECONDS).admitted());
    }

    @Test
    void whenTheBacklogIsFullTheOldestWaiterIsRefused() throws Exception {
        Harness h = Harness.of(settings(1000, 1000, slots(1, 2, LONG, LONG)));
        AdmissionController c = h.controller();
        Permit held = c.enter().permit();
        CompletableFuture<AdmissionDecision> oldest = CompletableFuture.supplyAsync(c::enter, virtual());
        await(() -> waiting(c) == 1);
        CompletableFuture<AdmissionDecision> middle = CompletableFuture.supplyAsync(c::enter, virtual());
        await(() -> waiting(c) == 2);
        CompletableFuture<AdmissionDecision> newest = CompletableFuture.supplyAsync(c::enter, virtual());

        AdmissionDecision refused = oldest.get(5, TimeUnit.SECONDS);
        assertEquals(RejectReason.CONCURRENCY, refused.reason());
        assertEquals(503, refused.status());
        assertEquals(3, refused.retryAfterSeconds());
        await(() -> waiting(c) == 2);
        assertFalse(middle.isDone());
        assertFalse(newest.isDone());

        held.onSuccess();
        middle.get(5, TimeUnit.SECONDS).permit().onSuccess();
        newest.get(5, TimeUnit.SECONDS).permit().onSuccess();
        assertEquals(0, c.inflight());
        assertEquals(997, c.globalTokens(), "the refused request gave its rate token back (3 admitted of 1000)");
    }

    @Test
    void aWaiterWhoseBudgetRunsOutIsRefusedAndLeavesTheBacklog() throws Exception {
        // real time for the wait budget: a manual clock never lets a parked waiter's deadline pass
        AdmissionController c = new AdmissionController(settings(1000, 1000, slots(1, 10, Duration.ofMillis(50),
                Duration.ofMillis(50))), List.of(), new Fixtures.Capacity(), new Fixtures.Gate(),
                io.github.bucket4j.TimeMeter.SYSTEM_NANOTIME, AdmissionMetrics.NOOP);
        Permit held = c.enter().permit();

        AdmissionDecision refused;
        try (BacklogJanitor janitor = new BacklogJanitor(c, Duration.ofMillis(5))) {
            refused = c.enter();
        }

        assertEquals(RejectReason.CONCURRENCY, refused.reason());
        assertEquals(0, waiting(c), "the waiter that gave up is gone from the backlog");
        held.onSuccess();
        assertTrue(c.enter().admitted(), "the slot is free again: no phantom waiter took it");
    }

    @Test
    void aStandingBacklogRefusesNewcomersWithinTheShortBudget() throws Exception {
        // max-wait long, standing-wait 0: a newcomer waits only while the backlog has drained in the last 100 ms
        Harness h = Harness.of(settings(1000, 1000, slots(1, 10, LONG, Duration.ZERO)));
        AdmissionController c = h.controller();
        Permit held = c.enter().permit();
        CompletableFuture<AdmissionDecision> first = CompletableFuture.supplyAsync(c::enter, virtual());
        await(() -> waiting(c) == 1);
        h.clock().advance(ConcurrencySettings.STANDING_INTERVAL.plusMillis(1));

        AdmissionDecision late = c.enter();

        assertEquals(RejectReason.CONCURRENCY, late.reason(), "the backlog has stood: overload, refused at once");
        assertFalse(first.isDone(), "the waiter that came while it was fresh still waits");
        held.onSuccess();
        first.get(5, TimeUnit.SECONDS).permit().onSuccess();
        assertTrue(c.enter().admitted());
    }

    @Test
    void withoutABacklogABusyLimitRefusesAtOnce() {
        Harness h = Harness.of(settings(1000, 1000, new ConcurrencySettings("fixed", 1, 1, 1)));
        AdmissionController c = h.controller();
        c.enter();
        assertEquals(RejectReason.CONCURRENCY, c.enter().reason());
    }

    @Test
    void theShippedDefaultsHaveABacklog() {
        ConcurrencySettings d = ConcurrencySettings.defaults();
        assertTrue(d.backlog() >= 1000, "a flood's connection count fits: " + d.backlog());
        assertTrue(d.maxWait().compareTo(Duration.ofMillis(500)) >= 0);
        assertEquals("fixed", d.algorithm());
    }

    private static int waiting(AdmissionController c) {
        return c.backlogWaiting();
    }

    private static ExecutorService virtual() {
        return Executors.newVirtualThreadPerTaskExecutor();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(2);
        }
    }
}
