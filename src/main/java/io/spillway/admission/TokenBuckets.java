package io.spillway.admission;

import java.time.Duration;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;

/** Bucket4j plumbing shared by the global and the per-app limiters. */
final class TokenBuckets {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Caps a Retry-After so a misconfigured tiny rate never yields an absurd header. */
    static final long MAX_RETRY_AFTER_SECONDS = 3_600;

    private TokenBuckets() {
    }

    /** Capacity {@code burst}, refilled greedily (token by token) at {@code rate} per second. */
    static BucketConfiguration configuration(long rate, long burst) {
        return BucketConfiguration.builder().addLimit(bandwidth(rate, burst)).build();
    }

    /**
     * A local bucket that starts full. Synchronized rather than Bucket4j's default lock-free strategy: that one copies
     * the bucket's state on every consume (garbage per request), and on a pod's one or two cores a lock is rarely
     * contended; since JDK 24 a virtual thread waiting on a monitor no longer pins its carrier.
     */
    static LocalBucket create(long rate, long burst, TimeMeter clock) {
        return Bucket.builder()
                .addLimit(bandwidth(rate, burst))
                .withCustomTimePrecision(clock)
                .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
                .build();
    }

    private static Bandwidth bandwidth(long rate, long burst) {
        return Bandwidth.builder().capacity(burst).refillGreedy(rate, Duration.ofSeconds(1)).build();
    }

    /** A wait for the Retry-After header: whole seconds, rounded up, at least 1 (0.2 s → 1, 1.5 s → 2). */
    static long retryAfterSeconds(long nanosToWait) {
        if (nanosToWait <= 0) {
            return 1;
        }
        long seconds = nanosToWait / NANOS_PER_SECOND + (nanosToWait % NANOS_PER_SECOND == 0 ? 0 : 1);
        return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
    }

    /**
     * Retry-After for a cost the bucket can never grant (more than its capacity): the time until the
     * bucket is full again, which is the best the client can get; the API tells it to split the request.
     */
    static long secondsUntilFull(long available, long burst, long rate) {
        long deficit = Math.max(0, burst - available);
        // ceil(deficit / rate) seconds; the division first keeps it overflow-free
        long seconds = deficit / rate + (deficit % rate == 0 ? 0 : 1);
        return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
    }
}
