package io.spillway.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.spillway.metrics.OwnedMeters;

/**
 * Open SSE watch streams, capped per app and per pod: a stream holds a Redis subscription and a thread for as long
 * as the watcher stays, so without a cap a few clients could hold the pod's subscription pool. Metrics:
 * {@code spillway_streams_open} and {@code spillway_streams_refused_total{reason}} ({@code app_cap},
 * {@code pod_cap}, or the lifecycle reason: {@code warming}, {@code draining}, {@code broker_down}).
 */
final class WatcherSlots implements AutoCloseable {
    private final int maxPerApp;
    private final int maxPerPod;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> perApp = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final OwnedMeters meters;

    WatcherSlots(StreamSettings settings, MeterRegistry registry) {
        this.maxPerApp = settings.maxPerApp();
        this.maxPerPod = settings.maxPerPod();
        this.meters = new OwnedMeters(registry);
        meters.register(Gauge.builder("spillway.streams.open", open, AtomicInteger::get)
                                .description("Open SSE watch streams on this pod"));
    }

    /** A slot for one stream of {@code appId}, closed when the stream ends; throws the refusal otherwise. */
    Slot acquire(String appId) {
        if (open.incrementAndGet() > maxPerPod) {
            open.decrementAndGet();
            refused("pod_cap");
            throw new ApiException(503, "too many watch streams on this gateway (limit " + maxPerPod
                    + "), retry later", 1);
        }
        AtomicInteger app = perApp.computeIfAbsent(appId, id -> new AtomicInteger());
        if (app.incrementAndGet() > maxPerApp) {
            app.decrementAndGet();
            open.decrementAndGet();
            refused("app_cap");
            throw new ApiException(429, "too many watch streams for app " + appId + " (limit " + maxPerApp
                    + "), close one first", 1);
        }
        return new Slot(app);
    }

    void refused(String reason) {
        refused.computeIfAbsent(reason, r -> meters.register(
                Counter.builder("spillway.streams.refused").addTag(Tag.create("reason", r))
                        .description("SSE watch streams refused at open"))).increment();
    }

    @Override
    public void close() {
        meters.close();
    }

    /** One open stream; closing it twice frees it once. */
    final class Slot implements AutoCloseable {
        private final AtomicInteger app;
        private boolean closed;

        private Slot(AtomicInteger app) {
            this.app = app;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                app.decrementAndGet();
                open.decrementAndGet();
            }
        }
    }
}
