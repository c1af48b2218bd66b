package io.spillway.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.local.LocalBucket;

/**
 * One message bucket per app. Apps without a quota of their own get the default rate, in a bucket of
 * their own created on first use (callers charge only authenticated apps, which bounds the map).
 */
final class AppRateLimiter {
    /** What every bucket should look like; replaced as a whole on reload. */
    private record Quotas(int generation, Map<String, AppQuota> apps, long defaultRate, long defaultBurst) {
        AppQuota quotaFor(String appId) {
            AppQuota own = apps.get(appId);
            return own != null ? own : new AppQuota(appId, defaultRate, defaultBurst);
        }
    }

    /** {@code generation} is the {@link Quotas} the bucket was last checked against. */
    private record AppBucket(AppQuota quota, boolean explicit, int generation, LocalBucket bucket) {
    }

    private final ConcurrentHashMap<String, AppBucket> buckets = new ConcurrentHashMap<>();
    private final TimeMeter clock;
    private volatile Quotas quotas;

    AppRateLimiter(Map<String, AppQuota> apps, long defaultRate, long defaultBurst, TimeMeter clock) {
        this.clock = clock;
        this.quotas = new Quotas(0, Map.copyOf(apps), defaultRate, defaultBurst);
    }

    /** Takes {@code messages} tokens from the app's bucket, all or nothing. */
    AdmissionDecision charge(String appId, long messages) {
        AppBucket app = bucketFor(appId);
        long rate = app.quota().rate();
        long burst = app.quota().burst();
        if (messages == 0) {
            return AdmissionDecision.admit(rate, app.bucket().getAvailableTokens(), null);
        }
        if (messages > burst) {
            // can never pass: refuse without touching the bucket (Bucket4j would report an endless wait)
            long available = app.bucket().getAvailableTokens();
            return AdmissionDecision.reject(RejectReason.APP_RATE,
                    TokenBuckets.secondsUntilFull(available, burst, rate), rate, available);
        }
        ConsumptionProbe probe = app.bucket().tryConsumeAndReturnRemaining(messages);
        if (probe.isConsumed()) {
            return AdmissionDecision.admit(rate, probe.getRemainingTokens(), null);
        }
        return AdmissionDecision.reject(RejectReason.APP_RATE,
                TokenBuckets.retryAfterSeconds(probe.getNanosToWaitForRefill()), rate, probe.getRemainingTokens());
    }

    /**
     * Applies new quotas at once. Unchanged buckets keep their tokens; changed ones are reconfigured
     * with ADDITIVE (a raised burst is granted now, a lowered one caps the tokens); apps removed from
     * the configuration lose their bucket.
     */
    void reconfigure(Map<String, AppQuota> apps, long defaultRate, long defaultBurst) {
        Quotas next = new Quotas(quotas.generation() + 1, Map.copyOf(apps), defaultRate, defaultBurst);
        quotas = next;
        buckets.entrySet().removeIf(e -> e.getValue().explicit() && !next.apps().containsKey(e.getKey()));
        for (String appId : buckets.keySet()) {
            buckets.computeIfPresent(appId, (id, old) -> sync(id, old));
        }
    }

    /** Tokens left for the app right now (for tests and diagnostics). */
    long availableTokens(String appId) {
        return bucketFor(appId).bucket().getAvailableTokens();
    }

    private AppBucket bucketFor(String appId) {
        AppBucket app = buckets.get(appId);
        if (app != null && app.generation() == quotas.generation()) {
            return app;
        }
        // first use, or a reload raced with this app's first use: bring it up to date
        return buckets.compute(appId, this::sync);
    }

    private AppBucket sync(String appId, AppBucket old) {
        Quotas q = quotas;
        AppQuota wanted = q.quotaFor(appId);
        boolean explicit = q.apps().containsKey(appId);
        if (old == null) {
            return new AppBucket(wanted, explicit, q.generation(),
                    TokenBuckets.create(wanted.rate(), wanted.burst(), clock));
        }
        if (old.generation() == q.generation()) {
            return old;
        }
        if (old.quota().rate() != wanted.rate() || old.quota().burst() != wanted.burst()) {
            old.bucket().replaceConfiguration(TokenBuckets.configuration(wanted.rate(), wanted.burst()),
                    TokensInheritanceStrategy.ADDITIVE);
        }
        return new AppBucket(wanted, explicit, q.generation(), old.bucket());
    }
}
