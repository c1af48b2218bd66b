package io.spillway.admission;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.spillway.metrics.OwnedMeters;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * {@link AdmissionMetrics} on Helidon metrics. Prometheus names: {@code spillway_admission_admitted_total{app}},
 * {@code spillway_admission_rejected_total{reason,app}}, {@code spillway_publish_seconds} (histogram),
 * {@code spillway_concurrency_limit}, {@code spillway_inflight}, {@code spillway_capacity_factor}.
 * Counters are cached per label set so the request path never goes through the registry.
 */
public final class HelidonAdmissionMetrics implements AdmissionMetrics, AutoCloseable {
    /** Label value where the app is not known yet (refused before the body was read). */
    static final String NO_APP = "";

    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    private final OwnedMeters registry;
    private final Map<String, Counter> admitted = new ConcurrentHashMap<>();
    private final Map<RejectReason, Map<String, Counter>> rejected = new EnumMap<>(RejectReason.class);
    private final Timer publish;
    private volatile AdmissionGauges gauges;

    /** Meters in {@code registry}; gauges read 0 until a controller is bound. */
    public HelidonAdmissionMetrics(MeterRegistry registry) {
        this.registry = new OwnedMeters(registry);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, new ConcurrentHashMap<>());
        }
        this.publish = this.registry.register(Timer.builder("spillway.publish")
                .description("Time from admission to the broker's acknowledgement of the publish")
                .buckets(LATENCY_BUCKETS));
        this.registry.register(Gauge.builder("spillway.concurrency.limit", this,
                        m -> m.gauges == null ? 0 : m.gauges.concurrencyLimit())
                .description("Concurrency limit in force (adaptive limit scaled by the capacity factor)"));
        this.registry.register(Gauge.builder("spillway.inflight", this,
                        m -> m.gauges == null ? 0 : m.gauges.inflight())
                .description("Admitted requests in flight"));
        this.registry.register(Gauge.builder("spillway.capacity.factor", this,
                        m -> m.gauges == null ? 1.0 : m.gauges.capacityFactor())
                .description("Share of the configured capacity in force (slow start)"));
        this.registry.register(Gauge.builder("spillway.backlog", this,
                        m -> m.gauges == null ? 0 : m.gauges.backlogWaiting())
                .description("Requests waiting for a concurrency slot"));
    }

    /** Meters in Helidon's global registry, the one {@code /observe/metrics} serves. */
    public static HelidonAdmissionMetrics create() {
        return new HelidonAdmissionMetrics(Metrics.globalRegistry());
    }

    @Override
    public void admitted(String app) {
        String label = label(app);
        Counter counter = admitted.get(label);
        if (counter == null) {
            counter = admitted.computeIfAbsent(label, l -> registry.register(
                    Counter.builder("spillway.admission.admitted")
                            .description("Requests admitted")
                            .addTag(Tag.create("app", l))));
        }
        counter.increment();
    }

    @Override
    public void rejected(RejectReason reason, String app) {
        String label = label(app);
        Map<String, Counter> byApp = rejected.get(reason);
        Counter counter = byApp.get(label);
        if (counter == null) {
            counter = byApp.computeIfAbsent(label, l -> registry.register(
                    Counter.builder("spillway.admission.rejected")
                            .description("Requests refused by admission control")
                            .addTag(Tag.create("reason", reason.label()))
                            .addTag(Tag.create("app", l))));
        }
        counter.increment();
    }

    @Override
    public void publishLatency(long nanos) {
        publish.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void bind(AdmissionGauges gauges) {
        this.gauges = gauges;
    }

    /** Removes this gateway's meters from the registry. */
    @Override
    public void close() {
        registry.close();
    }

    private static String label(String app) {
        return app == null ? NO_APP : app;
    }
}
