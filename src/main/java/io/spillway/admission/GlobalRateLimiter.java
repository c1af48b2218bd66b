package io.spillway.admission;

import java.util.concurrent.locks.ReentrantLock;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.local.LocalBucket;

/**
 * The pod-wide request rate: one Bucket4j bucket. Slow start does not scale it (it scales the in-flight limit, see
 * {@link AdmissionController}): a rate below what a cold pod can serve only turned clients away into retries.
 */
final class GlobalRateLimiter {
    private final LocalBucket bucket;
    private final ReentrantLock reconfigure = new ReentrantLock();
    private volatile long rate;
    private volatile long burst;

    GlobalRateLimiter(long rate, long burst, TimeMeter clock) {
        this.rate = rate;
        this.burst = burst;
        this.bucket = TokenBuckets.create(rate, burst, clock);
    }

    long rate() {
        return rate;
    }

    /** One token from the configured rate; the probe carries the wait when refused. */
    ConsumptionProbe tryConsume() {
        return bucket.tryConsumeAndReturnRemaining(1);
    }

    /** Gives back the token of a request refused after it passed the rate (by the concurrency limit). */
    void refund() {
        bucket.addTokens(1);
    }

    /** Token count (for tests and diagnostics). */
    long availableTokens() {
        return bucket.getAvailableTokens();
    }

    /**
     * New rate/burst. ADDITIVE keeps the tokens and, when the burst grows, adds the difference at once
     * (raising a limit takes effect now); when it shrinks the tokens are capped at the new burst.
     */
    void reconfigure(long newRate, long newBurst) {
        reconfigure.lock();
        try {
            if (newRate == rate && newBurst == burst) {
                return;
            }
            bucket.replaceConfiguration(TokenBuckets.configuration(newRate, newBurst), TokensInheritanceStrategy.ADDITIVE);
            rate = newRate;
            burst = newBurst;
        } finally {
            reconfigure.unlock();
        }
    }
}
