package io.spillway.admission;

import java.util.concurrent.atomic.AtomicInteger;

import com.netflix.concurrency.limits.Limit;
import io.github.bucket4j.TimeMeter;

/**
 * In-flight accounting against an adaptive limit. The count is our own lock-free counter (no queue,
 * no {@code synchronized} of ours); the Netflix {@link Limit} only learns from the samples the
 * permits report when they end.
 */
final class ConcurrencyLimiter {
    private record Adaptive(ConcurrencySettings settings, Limit limit) {
    }

    private final AtomicInteger inflight = new AtomicInteger();
    private final TimeMeter clock;
    private final AdmissionMetrics metrics;
    private volatile Adaptive adaptive;

    ConcurrencyLimiter(ConcurrencySettings settings, TimeMeter clock, AdmissionMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        this.adaptive = new Adaptive(settings, ConcurrencyLimits.create(settings));
    }

    /** The learned limit at full capacity, kept within the configured [min, max]. */
    int limit() {
        Adaptive a = adaptive;
        ConcurrencySettings s = a.settings();
        return Math.max(s.min(), Math.min(s.max(), a.limit().getLimit()));
    }

    int inflight() {
        return inflight.get();
    }

    /** Claims a slot if fewer than {@code allowed} are in flight; the in-flight count including it, or 0 when full. */
    int tryAcquire(int allowed) {
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

    /** Claims a slot unconditionally (admission disabled): still counted so the gauge stays true. */
    int acquire() {
        return inflight.incrementAndGet();
    }

    /** A permit for a slot just claimed; {@code sample} false keeps its latency away from the limit. */
    Permit permit(int inflightAtStart, boolean sample) {
        return new SlotPermit(this, clock.currentTimeNanos(), inflightAtStart, sample);
    }

    /** Called exactly once per permit. */
    void release(long startNanos, int inflightAtStart, boolean sample, SlotPermit.Outcome outcome) {
        inflight.decrementAndGet();
        if (outcome == SlotPermit.Outcome.IGNORED) {
            return;
        }
        // Vegas rejects rtt <= 0, which a coarse or fake clock can produce
        long rtt = Math.max(1, clock.currentTimeNanos() - startNanos);
        boolean dropped = outcome == SlotPermit.Outcome.DROPPED;
        if (sample) {
            // AbstractLimit.onSample is synchronized: short and non-blocking, and JDK 24+ no longer pins on it
            adaptive.limit().onSample(startNanos, rtt, inflightAtStart, dropped);
        }
        if (!dropped) {
            metrics.publishLatency(rtt);
        }
    }

    /** A changed algorithm or bounds starts a fresh limit; unchanged settings keep what was learned. */
    void reconfigure(ConcurrencySettings settings) {
        if (!settings.equals(adaptive.settings())) {
            adaptive = new Adaptive(settings, ConcurrencyLimits.create(settings));
        }
    }
}
