package io.spillway.lifecycle;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.spillway.metrics.OwnedMeters;

/**
 * Lifecycle gauges: {@code spillway_ready}, {@code spillway_lifecycle_state} (0 STARTING .. 3 DRAINING),
 * {@code spillway_broker_up}, {@code spillway_broker_circuit_open}, {@code spillway_broker_circuit_opened},
 * and {@code spillway_warmup_seconds{phase}}.
 */
public final class LifecycleMetrics implements AutoCloseable {
    private final OwnedMeters meters;
    private volatile WarmUp.Report warmup;

    public LifecycleMetrics(MeterRegistry registry) {
        this.meters = new OwnedMeters(registry);
    }

    /** Registers the gauges that read {@code lifecycle} and {@code health}. */
    public void bind(Lifecycle lifecycle, BrokerHealth health) {
        meters.register(Gauge.builder("spillway.ready", lifecycle, l -> l.isReady() ? 1 : 0)
                                .description("1 when the readiness check answers UP"));
        meters.register(Gauge.builder("spillway.lifecycle.state", lifecycle, l -> l.state().ordinal())
                                .description("0 STARTING, 1 WARMING, 2 READY, 3 DRAINING"));
        meters.register(Gauge.builder("spillway.broker.up", health, h -> h.up() ? 1 : 0)
                                .description("1 while the broker answers (after hysteresis)"));
        meters.register(Gauge.builder("spillway.broker.circuit.open", health, h -> h.circuitClosed() ? 0 : 1)
                                .description("1 while publishes are refused at once because the broker fails"));
        meters.register(Gauge.builder("spillway.broker.circuit.opened", health, BrokerHealth::timesOpened)
                                .description("How many times the broker circuit has opened since start"));
        meters.register(Gauge.builder("spillway.warmup.seconds", this,
                                      m -> m.warmup == null ? 0 : m.warmup.prime().toNanos() / 1e9)
                                .addTag(Tag.create("phase", "prime"))
                                .description("How long each warm-up phase took"));
        meters.register(Gauge.builder("spillway.warmup.seconds", this,
                                      m -> m.warmup == null ? 0 : m.warmup.hotPath().toNanos() / 1e9)
                                .addTag(Tag.create("phase", "hot_path"))
                                .description("How long each warm-up phase took"));
    }

    void warmedUp(WarmUp.Report report) {
        this.warmup = report;
    }

    @Override
    public void close() {
        meters.close();
    }
}
