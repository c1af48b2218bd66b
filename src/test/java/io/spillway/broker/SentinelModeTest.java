package io.spillway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.SseWatcher;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSentinelGroup;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sentinel mode from configuration alone, against a real group (1 master, 2 replicas, 3 sentinels). No faults. */
class SentinelModeTest {
    @RegisterExtension
    static final RedisExtension<RedisSentinelGroup> GROUP = RedisExtension.sentinelGroup();

    @Test
    void publishesGoToTheMasterOnlyAndTheMetricsNameIt(RedisSentinelGroup group) throws Exception {
        RedisNode master = group.master();
        try (GatewayHarness gateway = TopologyGateways.startReady(TopologyGateways.sentinel(group));
             RedisSubscriber onMaster = RedisSubscriber.psubscribe(List.of(master), "spillway:1001:*");
             SseWatcher watcher = new SseWatcher(gateway, "sentinel-a").awaitOpen(Duration.ofSeconds(10))) {
            var response = gateway.publish("events", "{\"name\":\"e\",\"channel\":\"sentinel-a\",\"data\":\"m-1\"}");
            assertEquals(200, response.statusCode(), response.body());

            assertTrue(onMaster.awaitCount(1, Duration.ofSeconds(10)), "published on the master");
            assertEquals(1, watcher.awaitEvents(1, Duration.ofSeconds(10)).size(), "the SSE stream saw it");
            assertTrue(TopologyGateways.gatewayConnections(master) > 0);
            for (RedisNode replica : group.replicas()) {
                assertEquals(0, TopologyGateways.gatewayConnections(replica), "no connections to replica " + replica);
            }
            assertEquals(1.0, TopologyGateways.metric(gateway,
                    "spillway_redis_master", Map.of("address", master.address())).orElse(0.0));
            assertEquals(0.0, TopologyGateways.metric(gateway, "spillway_redis_sharded_publish").orElse(-1.0));
            assertEquals(0.0, TopologyGateways.metric(gateway, "spillway_redis_stale_master").orElse(-1.0));
        }
    }

    /**
     * The forced refresh (what a READONLY answer or a client that does not follow the sentinels triggers): a new
     * client takes over publishing and the live subscriptions, and the old one lets its connections go.
     */
    @Test
    void aForcedRefreshMovesPublishingAndSubscriptionsToANewClient(RedisSentinelGroup group) {
        MeterRegistry registry = Metrics.globalRegistry();
        RedisSettings settings = TopologyGateways.settings(TopologyGateways.sentinel(group));
        RedisNode master = group.master();
        RedissonBroker broker = new RedissonBroker(settings, new SpillwayWireFormat("spillway:"), registry);
        try (broker; RedisSubscriber onMaster = RedisSubscriber.psubscribe(List.of(master), "spillway:1001:*")) {
            broker.start();
            Await.until("connected", Duration.ofSeconds(30), broker::connected);
            List<String> seen = new CopyOnWriteArrayList<>();
            try (Subscription ignored = broker.subscribe("1001", "refresh", seen::add)) {
                publish(broker, "before");
                Await.until("the listener saw the first message", Duration.ofSeconds(10), () -> seen.size() == 1);
                Set<String> connectionsBefore = TopologyGateways.gatewayConnectionIds(master);

                long forcedBefore = forced(registry);
                broker.refreshTopology();
                Await.until("a forced refresh", Duration.ofSeconds(10), () -> forced(registry) == forcedBefore + 1);
                publish(broker, "after");

                Await.until("the listener saw the message published through the new client", Duration.ofSeconds(10),
                            () -> seen.size() == 2);
                assertTrue(seen.get(1).contains("\"data\":\"after\""), seen.toString());
                assertTrue(onMaster.awaitCount(2, Duration.ofSeconds(10)));
                Await.until("only new connections, the old client's closed", Duration.ofSeconds(15), () -> {
                    Set<String> now = TopologyGateways.gatewayConnectionIds(master);
                    return !now.isEmpty() && now.stream().noneMatch(connectionsBefore::contains);
                });
                assertEquals(2, seen.size(), "delivered once each: " + seen);
            }
        }
    }

    private static void publish(RedissonBroker broker, String data) {
        PublishResult result = broker.publish(List.of(new ChannelMessage("1001", "refresh", "e", data, null)));
        assertTrue(result.ok(), result.toString());
    }

    private static long forced(MeterRegistry registry) {
        return registry.counter("spillway.redis.topology.refreshes", List.of(Tag.create("trigger", "forced")))
                .map(Counter::count).orElse(0L);
    }
}
