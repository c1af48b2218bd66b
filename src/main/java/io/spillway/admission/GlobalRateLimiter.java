package io.spillway.admission;

import java.util.concurrent.locks.ReentrantLock;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.local.LocalBucket;

/**
 * The pod-wide request rate. Two buckets so a refusal can be told apart: {@code full} holds the
 * configured rate (a refusal there is GLOBAL_RATE: it would be refused at full capacity too);
 * {@code scaled} holds the same rate times the slow-start capacity step and is consulted only below
 * full capacity (a refusal there is SLOW_START).
 */
final class GlobalRateLimiter {
    private final LocalBucket full;
    private final LocalBucket scaled;
    /** Guards reconfiguration of {@code scaled}; request threads only ever tryLock it. */
    private final ReentrantLock scaledLock = new ReentrantLock();
    private volatile long rate;
    private volatile long burst;
    /** The step {@code scaled} is configured for; -1 forces a reconfiguration. */
    private volatile int scaledStep;

    GlobalRateLimiter(long rate, long burst, TimeMeter clock) {
        this.rate = rate;
        this.burst = burst;
        this.full = TokenBuckets.create(rate, burst, clock);
        this.scaled = TokenBuckets.create(rate, burst, clock);
        this.scaledStep = CapacitySteps.FULL;
    }

    long rate() {
        return rate;
    }

    /** One token from the configured rate; the probe carries the wait when refused. */
    ConsumptionProbe tryConsume() {
        return full.tryConsumeAndReturnRemaining(1);
    }

    /** One token from the rate scaled to {@code step}; call only after {@link #tryConsume()} granted one. */
    boolean tryConsumeScaled(int step) {
        syncScaled(step);
        return scaled.tryConsume(1);
    }

    /** Gives back the token(s) of a request refused after it passed the rate (by the slow-start rate or the concurrency limit). */
    void refund(boolean fromScaled) {
        full.addTokens(1);
        if (fromScaled) {
            scaled.addTokens(1);
        }
    }

    /** Token count of the configured-rate bucket (for tests and diagnostics). */
    long availableTokens() {
        return full.getAvailableTokens();
    }

    /**
     * New rate/burst. ADDITIVE keeps the tokens and, when the burst grows, adds the difference at once
     * (raising a limit takes effect now); when it shrinks the tokens are capped at the new burst.
     */
    void reconfigure(long newRate, long newBurst) {
        scaledLock.lock();
        try {
            if (newRate == rate && newBurst == burst) {
                return;
            }
            full.replaceConfiguration(TokenBuckets.configuration(newRate, newBurst), TokensInheritanceStrategy.ADDITIVE);
            rate = newRate;
            burst = newBurst;
            scaledStep = -1;
        } finally {
            scaledLock.unlock();
        }
    }

    private void syncScaled(int step) {
        if (step == scaledStep || !scaledLock.tryLock()) {
            // up to date, or another thread is reconfiguring: use the configuration in place
            return;
        }
        try {
            if (step != scaledStep) {
                // AS_IS: tokens carry over (capped), so stepping up the ramp grants no extra burst
                scaled.replaceConfiguration(
                        TokenBuckets.configuration(CapacitySteps.scale(rate, step), CapacitySteps.scale(burst, step)),
                        TokensInheritanceStrategy.AS_IS);
                scaledStep = step;
            }
        } finally {
            scaledLock.unlock();
        }
    }
}
