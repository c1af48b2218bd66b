package io.spillway.broker;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSentinelGroup;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sentinels and data nodes that {@code requirepass} (as the usual Redis Helm charts set them up): with
 * {@code spillway.redis.sentinel-password} Redisson finds the master through them, the stale-master gate gets
 * answers from every sentinel, and publishing follows a failover.
 */
class SentinelAuthTest {
    private static final String SENTINEL_PASSWORD = "sentinel-secret";
    private static final String PASSWORD = "node-secret"; // a different one, so each setting is seen to be used

    @RegisterExtension
    static final RedisExtension<RedisSentinelGroup> GROUP =
            RedisExtension.sentinelGroup(RedisSentinelGroup.builder().password(PASSWORD).sentinelPassword(SENTINEL_PASSWORD));

    @Test
    void publishingFollowsAFailoverAndTheGateAsksEverySentinel(RedisSentinelGroup group) {
        Map<String, String> config = TopologyGateways.sentinel(group);
        config.put("spillway.redis.sentinel-password", SENTINEL_PASSWORD);
        config.put("spillway.redis.password", PASSWORD);
        RedisNode oldMaster = group.master();
        try (SentinelMasterGate gate = new SentinelMasterGate(TopologyGateways.settings(config));
             GatewayHarness gateway = TopologyGateways.startReady(config);
             RedisSubscriber subscriber = RedisSubscriber.following().psubscribe(group.nodes(), "spillway:1001:*")) {
            // The gate is active: a majority of (here: all) sentinels answers it, naming the master.
            assertEquals(Optional.of(oldMaster.address()), gate.majorityMaster());
            for (RedisNode sentinel : group.sentinels()) {
                String clients = (String) sentinel.command("CLIENT", "LIST");
                assertTrue(clients.contains(" name=spillway-gate "), "the gateway's own gate asks " + sentinel);
            }
            assertEquals(200, publish(gateway, "before").statusCode());
            assertTrue(subscriber.awaitCount(m -> m.nodePort() == oldMaster.port(), 1, Duration.ofSeconds(10)));

            oldMaster.kill();
            int newMaster = group.awaitMasterChange(oldMaster.port(), Duration.ofSeconds(30));
            Await.until("a publish through the gateway to reach the new master", Duration.ofSeconds(30), () ->
                    publish(gateway, "after").statusCode() == 200
                            && subscriber.awaitCount(m -> m.nodePort() == newMaster && m.payload().contains("after"),
                                                     1, Duration.ofSeconds(1)));
            Await.until("the gate to name the new master", Duration.ofSeconds(10),
                        () -> gate.majorityMaster().equals(Optional.of(group.node(newMaster).address())));
        }
    }

    private static java.net.http.HttpResponse<String> publish(GatewayHarness gateway, String data) {
        return gateway.publish("events", "{\"name\":\"e\",\"channel\":\"auth\",\"data\":\"" + data + "\"}");
    }
}
