package io.spillway.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;

/**
 * The meters one gateway registered in a (shared) registry, removed again when it stops, so a gauge never keeps
 * reading a stopped gateway and a new gateway in the same JVM starts from zero.
 */
public final class OwnedMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> owned = new CopyOnWriteArrayList<>();

    public OwnedMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public <B extends Meter.Builder<B, M>, M extends Meter> M register(B builder) {
        M meter = registry.getOrCreate(builder);
        owned.add(meter);
        return meter;
    }

    @Override
    public void close() {
        owned.forEach(registry::remove);
        owned.clear();
    }
}
