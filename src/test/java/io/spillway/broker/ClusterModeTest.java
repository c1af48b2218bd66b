package io.spillway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.SseWatcher;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisClusterFixture;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cluster mode from configuration alone (3 masters + 3 replicas). Sharded pub/sub and classic pub/sub are separate
 * namespaces in Redis: an SPUBLISH reaches only SSUBSCRIBE subscribers and a PUBLISH only (P)SUBSCRIBE ones, which
 * is how these tests tell which command the gateway used.
 */
class ClusterModeTest {
    private static final List<String> CHANNELS = IntStream.range(0, 12).mapToObj(i -> "cl-" + i).toList();

    @RegisterExtension
    static final RedisExtension<RedisClusterFixture> CLUSTER = RedisExtension.cluster();

    @Test
    void autoDetectsRedis7AndPublishesSharded(RedisClusterFixture cluster) throws Exception {
        try (GatewayHarness gateway = TopologyGateways.startReady(TopologyGateways.cluster(cluster));
             RedisSubscriber sharded = RedisSubscriber.ssubscribe(cluster.nodes(), redisChannels());
             RedisSubscriber classic = RedisSubscriber.psubscribe(cluster.nodes(), "spillway:*");
             SseWatcher watcher = new SseWatcher(gateway, CHANNELS.get(0)).awaitOpen(Duration.ofSeconds(10))) {
            publishAll(gateway, "auto");

            Await.until("every channel on its shard", Duration.ofSeconds(10),
                        () -> distinctPayloads(sharded, "auto-") == CHANNELS.size());
            assertEquals(1, watcher.awaitEvents(1, Duration.ofSeconds(10)).size(), "the SSE stream (sharded) saw it");
            assertEquals(0, classic.count(), "nothing went out as a classic PUBLISH");
            assertEquals(1.0, TopologyGateways.metric(gateway, "spillway_redis_sharded_publish").orElse(-1.0));
            for (var master : cluster.masters()) {
                assertEquals(1.0, TopologyGateways.metric(gateway,
                        "spillway_redis_master", Map.of("address", master.address())).orElse(0.0), master.address());
            }
        }
    }

    @Test
    void shardedPublishFalseUsesClassicPublish(RedisClusterFixture cluster) throws Exception {
        Map<String, String> config = TopologyGateways.cluster(cluster);
        config.put("spillway.redis.sharded-publish", "false");
        try (GatewayHarness gateway = TopologyGateways.startReady(config);
             RedisSubscriber sharded = RedisSubscriber.ssubscribe(cluster.nodes(), redisChannels());
             RedisSubscriber classic = RedisSubscriber.psubscribe(List.of(cluster.nodes().get(0)), "spillway:*");
             SseWatcher watcher = new SseWatcher(gateway, CHANNELS.get(0)).awaitOpen(Duration.ofSeconds(10))) {
            publishAll(gateway, "classic");

            // Classic PUBLISH is broadcast over the cluster bus: one node's subscriber sees every channel.
            Await.until("every channel on one node", Duration.ofSeconds(10),
                        () -> distinctPayloads(classic, "classic-") == CHANNELS.size());
            assertEquals(1, watcher.awaitEvents(1, Duration.ofSeconds(10)).size(), "the SSE stream saw it");
            assertEquals(0, sharded.count(), "nothing went out as SPUBLISH");
            assertEquals(0.0, TopologyGateways.metric(gateway, "spillway_redis_sharded_publish").orElse(-1.0));
        }
    }

    private static void publishAll(GatewayHarness gateway, String tag) {
        for (String channel : CHANNELS) {
            var response = gateway.publish("events", "{\"name\":\"e\",\"channel\":\"" + channel + "\",\"data\":\""
                    + tag + "-" + channel + "\"}");
            assertEquals(200, response.statusCode(), response.body());
        }
    }

    /** Distinct test messages (the gateway's own probe publishes share the prefix but not the tag). */
    private static long distinctPayloads(RedisSubscriber subscriber, String tag) {
        return subscriber.messages().stream().map(RedisSubscriber.Message::payload).filter(p -> p.contains(tag))
                .distinct().count();
    }

    private static List<String> redisChannels() {
        return CHANNELS.stream().map(c -> "spillway:" + GatewayHarness.APP_ID + ":" + c).toList();
    }
}
