package io.spillway.broker;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.spillway.metrics.OwnedMeters;

/**
 * Topology meters: {@code spillway_redis_master{address}} (1 for every master publishes go to, info style: the
 * series of a demoted master disappears), {@code spillway_redis_failovers_total} (masters replaced by another),
 * {@code spillway_redis_topology_refreshes_total{trigger}} ({@code client}: Redisson's own scan changed its view of
 * the masters; {@code forced}: Spillway rebuilt the client), {@code spillway_redis_stale_master} (1 while publishes
 * are refused because the client is not on the sentinels' master) and {@code spillway_redis_sharded_publish}
 * (1 when cluster publishes use SPUBLISH).
 */
final class TopologyMetrics implements AutoCloseable {
    private static final String MASTER = "spillway.redis.master";

    private final MeterRegistry registry;
    private final OwnedMeters meters;
    private final Counter failovers;
    private final Counter refreshes;
    private final Counter forced;
    private final Map<String, Meter> masters = new HashMap<>();
    private volatile boolean sharded;
    private volatile boolean stale;

    TopologyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.meters = new OwnedMeters(registry);
        this.failovers = meters.register(Counter.builder("spillway.redis.failovers")
                .description("Redis masters replaced by another node (Sentinel promotion, cluster replica takeover)"));
        this.refreshes = meters.register(refreshes("client"));
        this.forced = meters.register(refreshes("forced"));
        meters.register(Gauge.builder("spillway.redis.sharded.publish", this, m -> m.sharded ? 1 : 0)
                .description("1 when cluster publishes use SPUBLISH, 0 for PUBLISH"));
        meters.register(Gauge.builder("spillway.redis.stale.master", this, m -> m.stale ? 1 : 0)
                .description("1 while publishes are refused: the client is not on the master the sentinels name"));
    }

    private static Counter.Builder refreshes(String trigger) {
        return Counter.builder("spillway.redis.topology.refreshes").addTag(Tag.create("trigger", trigger))
                .description("Topology refreshes: client = the Redis client's scan changed its view of the masters,"
                                     + " forced = Spillway rebuilt the client");
    }

    void sharded(boolean value) {
        sharded = value;
    }

    void stale(boolean value) {
        stale = value;
    }

    void forcedRefresh() {
        forced.increment();
    }

    /** A new view: the master gauges follow it; the counters move when it is a change. */
    synchronized void observed(TopologyView previous, TopologyView now) {
        if (previous != null && !previous.equals(now)) {
            refreshes.increment();
            failovers.increment(now.replacedSince(previous));
        }
        Set<String> current = now.masters();
        masters.entrySet().removeIf(e -> {
            if (current.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
        for (String address : current) {
            masters.computeIfAbsent(address, a -> registry.getOrCreate(
                    Gauge.builder(MASTER, () -> 1).addTag(Tag.create("address", a))
                            .description("1 for each Redis master publishes go to, by address")));
        }
    }

    @Override
    public synchronized void close() {
        masters.values().forEach(registry::remove);
        masters.clear();
        meters.close();
    }
}
