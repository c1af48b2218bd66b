package io.spillway.admission;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.netflix.concurrency.limits.Limit;
import io.github.bucket4j.TimeMeter;

/**
 * In-flight slots against a limit, with a newest-first backlog in front of them. The count is our own lock-free
 * counter; the Netflix {@link Limit} only learns from the samples the permits report when they end.
 *
 * <p>Why a backlog, and why newest first: a burst larger than the limit on an idle pod is absorbed instead of refused,
 * and under sustained overload the request that has just arrived (whose client is still waiting) gets the next free
 * slot, so admitted requests keep a short wait while the stalest waiters are the ones refused. A parked waiter costs
 * no CPU; a refusal answered to a client that retries at once costs a request's parse and answer every time, which is
 * what made the old refuse-at-once limiter serve less than no limiter at all under a closed-loop flood.
 *
 * <p>A released slot goes straight to the newest waiter (no barging), so a waiter never loses its slot to a newcomer
 * and the in-flight count never exceeds the limit the slot was taken under.
 */
final class ConcurrencyLimiter {
    private record Adaptive(ConcurrencySettings settings, Limit limit) {
    }

    /** One parked request. {@code state} moves once from WAITING to GRANTED (it owns a slot) or GAVE_UP. */
    private static final class Waiter {
        static final int WAITING = 0;
        static final int GRANTED = 1;
        static final int GAVE_UP = 2;
        final Thread thread = Thread.currentThread();
        final AtomicInteger state = new AtomicInteger(WAITING);
        final long since;
        final long deadline;

        Waiter(long since, long deadline) {
            this.since = since;
            this.deadline = deadline;
        }
    }

    private final AtomicInteger inflight = new AtomicInteger();
    /** Newest first; entries whose state is no longer WAITING are skipped and dropped lazily. */
    private final ConcurrentLinkedDeque<Waiter> backlog = new ConcurrentLinkedDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final TimeMeter clock;
    private final AdmissionMetrics metrics;
    private volatile Adaptive adaptive;
    /**
     * When the backlog last went from empty to non-empty; CoDel's "has the queue drained lately". Set by the waiter
     * that finds it empty, so the path with nobody waiting never touches it.
     */
    private volatile long nonEmptySinceNanos;
    /** The limit the latest request was admitted under (slow start scales it); a freed slot is re-granted below it. */
    private volatile int allowedNow;

    ConcurrencyLimiter(ConcurrencySettings settings, TimeMeter clock, AdmissionMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        this.adaptive = new Adaptive(settings, ConcurrencyLimits.create(settings));
        this.allowedNow = limit();
    }

    /** The limit at full capacity, kept within the configured [min, max]. */
    int limit() {
        Adaptive a = adaptive;
        ConcurrencySettings s = a.settings();
        return Math.max(s.min(), Math.min(s.max(), a.limit().getLimit()));
    }

    int inflight() {
        return inflight.get();
    }

    /** Requests parked in the backlog right now. */
    int waiting() {
        return waiting.get();
    }

    /**
     * Claims a slot if fewer than {@code allowed} are in flight and nobody waits (waiters come first); the in-flight
     * count including it, or 0.
     */
    int tryAcquire(int allowed) {
        if (allowedNow != allowed) {
            allowedNow = allowed;
        }
        if (waiting.get() > 0) {
            return 0;
        }
        while (true) {
            int current = inflight.get();
            if (current >= allowed) {
                return 0;
            }
            if (inflight.compareAndSet(current, current + 1)) {
                return current + 1;
            }
        }
    }

    /**
     * Claims a slot, waiting for one in the backlog within the wait budget; the in-flight count including it, or 0
     * when none could be had (backlog off or full of newer waiters, or the budget ran out).
     */
    int acquire(int allowed) {
        int got = tryAcquire(allowed);
        if (got > 0) {
            return got;
        }
        ConcurrencySettings s = adaptive.settings();
        if (s.backlog() == 0) {
            return 0;
        }
        long now = clock.currentTimeNanos();
        boolean standing = waiting.get() > 0
                && now - nonEmptySinceNanos > ConcurrencySettings.STANDING_INTERVAL.toNanos();
        long budget = s.waitBudgetNanos(standing);
        if (budget <= 0) {
            return 0;
        }
        Waiter me = new Waiter(now, now + budget);
        backlog.addFirst(me);
        int queued = waiting.incrementAndGet();
        if (queued == 1) {
            nonEmptySinceNanos = now;
        } else if (queued > s.backlog()) {
            refuseOldest();
        }
        grantWhileFree(allowed); // a slot may have been freed before we were in the backlog
        // No timed park: a timer per waiting request is what a flood can least afford. The waiter parks until it is
        // granted a slot or refused; {@link #expire} (run every few ms by the caller's janitor) refuses it at its
        // deadline.
        while (me.state.get() == Waiter.WAITING) {
            LockSupport.park(this);
            if (Thread.currentThread().isInterrupted() && me.state.compareAndSet(Waiter.WAITING, Waiter.GAVE_UP)) {
                // the connection is going away (shutdown): leave the backlog, keep the interrupt for the caller
                waiting.decrementAndGet();
                backlog.remove(me);
                return 0;
            }
        }
        return me.state.get() == Waiter.GRANTED ? Math.max(1, inflight.get()) : 0;
    }

    /**
     * Refuses every waiter whose wait budget has run out, oldest first (they sit at the tail); cheap when none has.
     * Called periodically by the owner of this limiter.
     */
    void expire() {
        long now = clock.currentTimeNanos();
        for (var it = backlog.descendingIterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.state.get() != Waiter.WAITING) {
                it.remove();
                continue;
            }
            if (now - w.deadline < 0) {
                return;
            }
            if (w.state.compareAndSet(Waiter.WAITING, Waiter.GAVE_UP)) {
                waiting.decrementAndGet();
                it.remove();
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** Claims a slot unconditionally (admission disabled, warm-up): still counted so the gauge stays true. */
    int acquireUnlimited() {
        return inflight.incrementAndGet();
    }

    /** A permit for a slot just claimed; {@code sample} false keeps its latency away from the limit. */
    Permit permit(int inflightAtStart, boolean sample) {
        return new SlotPermit(this, clock.currentTimeNanos(), inflightAtStart, sample);
    }

    /** Called exactly once per permit: the slot goes to the newest waiter, or back to the pool. */
    void release(long startNanos, int inflightAtStart, boolean sample, SlotPermit.Outcome outcome) {
        // nobody waits (the common case): no deque access; a waiter that queues meanwhile is seen just below
        if (waiting.get() == 0 || !handToWaiter()) {
            inflight.decrementAndGet();
            // a waiter may have queued after we looked: give it the slot just freed
            if (waiting.get() > 0) {
                grantWhileFree(allowedNow);
            }
        }
        if (outcome == SlotPermit.Outcome.IGNORED) {
            return;
        }
        // Vegas rejects rtt <= 0, which a coarse or fake clock can produce
        long rtt = Math.max(1, clock.currentTimeNanos() - startNanos);
        boolean dropped = outcome == SlotPermit.Outcome.DROPPED;
        Adaptive a = adaptive;
        // a fixed limit learns nothing, and concurrency-limits' onSample is synchronized: one monitor every request
        // of the pod would contend for
        if (sample && !ConcurrencySettings.FIXED.equals(a.settings().algorithm())) {
            a.limit().onSample(startNanos, rtt, inflightAtStart, dropped);
        }
        if (!dropped) {
            metrics.publishLatency(rtt);
        }
    }

    /**
     * Transfers the caller's slot to a waiter; false when nobody waits. Oldest first while the backlog drains well
     * (its oldest waiter has waited less than half its budget), so a closed-loop flood is served in turn and nobody
     * times out; newest first once it does not, so under sustained overload the admitted keep a short wait and the
     * stalest are the ones refused (Facebook's adaptive LIFO).
     */
    private boolean handToWaiter() {
        Waiter oldest = backlog.peekLast();
        boolean lifo = oldest != null
                && 2 * (clock.currentTimeNanos() - oldest.since) > oldest.deadline - oldest.since;
        for (Waiter w; (w = lifo ? backlog.pollFirst() : backlog.pollLast()) != null; ) {
            if (w.state.compareAndSet(Waiter.WAITING, Waiter.GRANTED)) {
                waiting.decrementAndGet();
                LockSupport.unpark(w.thread);
                return true;
            }
        }
        return false;
    }

    /** Takes free slots (below {@code allowed}) for waiters, newest first. */
    private void grantWhileFree(int allowed) {
        while (waiting.get() > 0) {
            int current = inflight.get();
            if (current >= allowed) {
                return;
            }
            if (!inflight.compareAndSet(current, current + 1)) {
                continue;
            }
            if (!handToWaiter()) {
                inflight.decrementAndGet(); // nobody left to take it
                return;
            }
        }
    }

    /** The backlog is over its size: the oldest waiter is refused to make room for the newest. */
    private void refuseOldest() {
        for (Waiter w; (w = backlog.pollLast()) != null; ) {
            if (w.state.compareAndSet(Waiter.WAITING, Waiter.GAVE_UP)) {
                waiting.decrementAndGet();
                LockSupport.unpark(w.thread);
                return;
            }
        }
    }

    /** A changed algorithm or bounds starts a fresh limit; unchanged settings keep what was learned. */
    void reconfigure(ConcurrencySettings settings) {
        if (!settings.equals(adaptive.settings())) {
            adaptive = new Adaptive(settings, ConcurrencyLimits.create(settings));
        }
    }
}
