package io.spillway.admission;

import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

/**
 * The one entry point of admission control. {@link #enter()} runs before the body is read:
 * lifecycle gate, then the pod-wide rate, then the concurrency limit, whose backlog may park the request's
 * (virtual) thread for a bounded wait; {@link #charge} runs once the body is parsed and takes one token per
 * message from the app's bucket. Nothing here takes a monitor, so virtual threads are never pinned by our code.
 *
 * <p>{@code enabled=false} turns the rates and the concurrency limit off (the baseline for benchmarks),
 * but the lifecycle gate still applies: a draining or warming pod, or one whose broker is down, must
 * refuse whatever the admission settings say. Permits are still handed out and counted, so the
 * in-flight gauge stays true; their latencies are not fed to the limit.
 */
public final class AdmissionController implements AdmissionGauges {
    /** What changes with the settings, swapped as a whole on reload. */
    private record Snapshot(AdmissionSettings settings, Map<RejectReason, AdmissionDecision> refusals) {
        static Snapshot of(AdmissionSettings settings) {
            Map<RejectReason, AdmissionDecision> refusals = new EnumMap<>(RejectReason.class);
            for (RejectReason reason : RejectReason.values()) {
                refusals.put(reason, AdmissionDecision.reject(reason, settings.retryAfterSeconds(), 0, 0));
            }
            return new Snapshot(settings, refusals);
        }
    }

    /** Admitted while admission is disabled: no rate applied, so no X-RateLimit values. */
    private static final AdmissionDecision UNLIMITED = AdmissionDecision.admit(0, 0, null);

    private final CapacityFactor capacity;
    private final TrafficGate gate;
    private final AdmissionMetrics metrics;
    private final GlobalRateLimiter global;
    private final AppRateLimiter apps;
    private final ConcurrencyLimiter concurrency;
    private final ReentrantLock reloads = new ReentrantLock();
    private volatile Snapshot snapshot;

    /**
     * @param settings validated admission settings
     * @param apps     apps with a quota of their own (others get the default rate); ids must be unique
     * @param capacity the slow-start factor; {@link CapacityFactor#full()} when there is none
     * @param gate     the lifecycle's gate; {@link TrafficGate#open()} when there is none
     * @param clock    time for the buckets and for permit latencies: {@code TimeMeter.SYSTEM_NANOTIME} in
     *                 production (latencies need sub-millisecond resolution), a manual clock in tests
     * @param metrics  where decisions and latencies are reported; it is bound to this controller's gauges
     */
    public AdmissionController(AdmissionSettings settings, Collection<AppQuota> apps, CapacityFactor capacity,
                               TrafficGate gate, TimeMeter clock, AdmissionMetrics metrics) {
        Objects.requireNonNull(settings, "settings");
        this.capacity = Objects.requireNonNull(capacity, "capacity");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
        this.global = new GlobalRateLimiter(settings.globalRate(), settings.globalBurst(), clock);
        this.apps = new AppRateLimiter(byId(apps), settings.defaultAppRate(), settings.defaultAppBurst(), clock);
        this.concurrency = new ConcurrencyLimiter(settings.concurrency(), clock, metrics);
        this.snapshot = Snapshot.of(settings);
        metrics.bind(this);
    }

    /**
     * Before the body is read: may this request enter? An admitted decision carries the
     * {@link Permit} the caller must end exactly once. Refusals for the gate, the concurrency limit and
     * slow start are pre-built; only a global-rate refusal is built per request (it carries the wait).
     */
    public AdmissionDecision enter() {
        Optional<RejectReason> refusal = gate.refusal();
        if (refusal.isPresent()) {
            return refused(snapshot.refusals().get(refusal.get()));
        }
        return enterPastGate();
    }

    /**
     * For the pod's own warm-up requests, which run while the gate still refuses outside traffic. They are
     * neither refused by nor charged to the global rate and the concurrency limit: those belong to clients,
     * and a global burst or a limit below the warm-up's size would otherwise keep the pod from ever becoming
     * ready. Their slots are counted and (when admission is enabled) their latencies feed the limit.
     */
    public AdmissionDecision enterWarmup() {
        return AdmissionDecision.admit(0, 0, concurrency.permit(concurrency.acquireUnlimited(), snapshot.settings().enabled()));
    }

    private AdmissionDecision enterPastGate() {
        Snapshot s = snapshot;
        if (!s.settings().enabled()) {
            return AdmissionDecision.admit(0, 0, concurrency.permit(concurrency.acquireUnlimited(), false));
        }
        ConsumptionProbe probe = global.tryConsume();
        if (!probe.isConsumed()) {
            return refused(AdmissionDecision.reject(RejectReason.GLOBAL_RATE,
                    TokenBuckets.retryAfterSeconds(probe.getNanosToWaitForRefill()), global.rate(),
                    probe.getRemainingTokens()));
        }
        // Slow start scales the in-flight limit only, never below the configured minimum: a cold pod keeps its core
        // busy, and what does not fit waits in the backlog instead of being refused into an immediate retry.
        int step = CapacitySteps.of(capacity.current());
        int fullLimit = concurrency.limit();
        int allowed = allowed(step, fullLimit, s.settings().concurrency());
        int inflight = concurrency.acquire(allowed);
        if (inflight == 0) {
            // refused requests do no work, so they must not use up the rate of the ones admitted
            global.refund();
            return refused(s.refusals().get(allowed < fullLimit && concurrency.inflight() < fullLimit
                    ? RejectReason.SLOW_START : RejectReason.CONCURRENCY));
        }
        return AdmissionDecision.admit(global.rate(), probe.getRemainingTokens(), concurrency.permit(inflight, true));
    }

    /**
     * After parsing: takes {@code messages} (one per event and channel) from the app's bucket, all or
     * nothing. An app without a quota of its own gets the default rate. A cost above the app's burst
     * can never pass: it is refused with APP_RATE and a Retry-After of the time to refill the bucket.
     */
    public AdmissionDecision charge(String appId, long messages) {
        Objects.requireNonNull(appId, "appId");
        if (messages < 0) {
            throw new IllegalArgumentException("messages must be >= 0, got " + messages);
        }
        if (!snapshot.settings().enabled()) {
            metrics.admitted(appId);
            return UNLIMITED;
        }
        AdmissionDecision decision = apps.charge(appId, messages);
        if (decision.admitted()) {
            metrics.admitted(appId);
        } else {
            metrics.rejected(decision.reason(), appId);
        }
        return decision;
    }

    /**
     * Hot reload; applies at once. Permits already handed out stay valid and keep counting. Buckets
     * whose rate and burst are unchanged keep their tokens; changed ones are reconfigured in place
     * (Bucket4j ADDITIVE: a raised burst is granted now, a lowered one caps the tokens); apps no longer
     * configured lose their bucket. The concurrency limit keeps what it learned unless its settings changed.
     */
    public void reconfigure(AdmissionSettings settings, Collection<AppQuota> apps) {
        Objects.requireNonNull(settings, "settings");
        Map<String, AppQuota> quotas = byId(apps);
        reloads.lock();
        try {
            global.reconfigure(settings.globalRate(), settings.globalBurst());
            this.apps.reconfigure(quotas, settings.defaultAppRate(), settings.defaultAppBurst());
            concurrency.reconfigure(settings.concurrency());
            snapshot = Snapshot.of(settings);
        } finally {
            reloads.unlock();
        }
    }

    /** The concurrency limit {@link #enter()} applies right now: the limit scaled by slow start, never below min. */
    @Override
    public int concurrencyLimit() {
        return allowed(CapacitySteps.of(capacity.current()), concurrency.limit(), snapshot.settings().concurrency());
    }

    private static int allowed(int step, int fullLimit, ConcurrencySettings s) {
        return step < CapacitySteps.FULL
                ? Math.max(Math.min(fullLimit, s.min()), CapacitySteps.scale(fullLimit, step))
                : fullLimit;
    }

    @Override
    public int inflight() {
        return concurrency.inflight();
    }

    /** Refuses backlog waiters past their wait budget; see {@link BacklogJanitor}. */
    public void expireWaiters() {
        concurrency.expire();
    }

    @Override
    public int backlogWaiting() {
        return concurrency.waiting();
    }

    @Override
    public double capacityFactor() {
        return CapacitySteps.factor(CapacitySteps.of(capacity.current()));
    }

    /** Tokens left in the global bucket (at full capacity); for tests and diagnostics. */
    long globalTokens() {
        return global.availableTokens();
    }

    /** Tokens left in an app's bucket; for tests and diagnostics. */
    long appTokens(String appId) {
        return apps.availableTokens(appId);
    }

    private AdmissionDecision refused(AdmissionDecision decision) {
        metrics.rejected(decision.reason(), null);
        return decision;
    }

    private static Map<String, AppQuota> byId(Collection<AppQuota> apps) {
        Objects.requireNonNull(apps, "apps");
        Map<String, AppQuota> byId = new LinkedHashMap<>();
        for (AppQuota app : apps) {
            if (byId.putIfAbsent(app.appId(), app) != null) {
                throw new IllegalArgumentException("spillway.apps: duplicate id '" + app.appId() + "'");
            }
        }
        return byId;
    }
}
