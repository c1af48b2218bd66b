package io.spillway.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.spillway.config.ConfigLoader;
import io.spillway.config.InvalidConfigException;
import io.spillway.config.SettingsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SubscriptionMode;
import org.redisson.connection.ConnectionListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sentinel and cluster settings as operators write them, and what Redisson is configured with. */
class RedisTopologySettingsTest {
    private static final ConnectionListener NO_EVENTS = new ConnectionListener() {
        @Override
        public void onConnect(java.net.InetSocketAddress address) {
        }

        @Override
        public void onDisconnect(java.net.InetSocketAddress address) {
        }
    };

    @TempDir
    Path dir;

    @Test
    void defaultsSuitAPublishTier() throws Exception {
        RedisSettings s = read("spillway: {}\n");
        assertEquals(RedisSettings.Mode.SINGLE, s.mode());
        assertEquals(Duration.ofMillis(500), s.scanInterval());
        assertEquals(Duration.ofMillis(400), s.responseTimeout());
        assertEquals(1, s.retryAttempts());
        assertEquals(Duration.ofMillis(50), s.retryDelay());
        assertEquals(Duration.ofSeconds(1), s.pingInterval());
        assertEquals(Duration.ofSeconds(2), s.subscriptionTimeout());
        assertEquals(4, s.subscriptionPoolSize());
        assertEquals(ShardedPublish.AUTO, s.shardedPublish());
        assertEquals("spillway", s.clientName());
    }

    @Test
    void sentinelFromConfigAlone() throws Exception {
        RedisSettings s = read("""
                spillway:
                  redis:
                    mode: sentinel
                    master-name: orders
                    nodes: [redis://10.0.0.1:26379, redis://10.0.0.2:26379, redis://10.0.0.3:26379]
                    scan-interval: 250ms
                    response-timeout: 300ms
                    retry-attempts: 2
                    ping-interval: 2s
                """);
        Config redisson = RedissonConfigs.create(s, NO_EVENTS);
        SentinelServersConfig sentinel = redisson.useSentinelServers();
        assertEquals("orders", sentinel.getMasterName());
        assertEquals(List.of("redis://10.0.0.1:26379", "redis://10.0.0.2:26379", "redis://10.0.0.3:26379"),
                     sentinel.getSentinelAddresses());
        assertEquals(250, sentinel.getScanInterval());
        assertEquals(300, sentinel.getTimeout());
        assertEquals(2, sentinel.getRetryAttempts());
        assertEquals(2000, sentinel.getPingConnectionInterval());
        assertEquals("spillway", sentinel.getClientName());
        // Publishes and subscriptions on the master only: a replica accepts PUBLISH but only its own subscribers see it.
        assertEquals(ReadMode.MASTER, sentinel.getReadMode());
        assertEquals(SubscriptionMode.MASTER, sentinel.getSubscriptionMode());
        assertEquals(0, sentinel.getSlaveConnectionMinimumIdleSize());
    }

    @Test
    void clusterFromConfigAlone() throws Exception {
        RedisSettings s = read("""
                spillway:
                  redis:
                    mode: cluster
                    nodes: [redis://10.0.0.1:6379, redis://10.0.0.2:6379]
                    sharded-publish: false
                    pool-size: 32
                    min-idle: 8
                """);
        assertEquals(ShardedPublish.OFF, s.shardedPublish());
        ClusterServersConfig cluster = RedissonConfigs.create(s, NO_EVENTS).useClusterServers();
        assertEquals(List.of("redis://10.0.0.1:6379", "redis://10.0.0.2:6379"), cluster.getNodeAddresses());
        assertEquals(500, cluster.getScanInterval());
        assertEquals(32, cluster.getMasterConnectionPoolSize());
        assertEquals(8, cluster.getMasterConnectionMinimumIdleSize());
        assertEquals(ReadMode.MASTER, cluster.getReadMode());
    }

    @Test
    void shardedPublishAcceptsAutoAndBooleans() {
        assertEquals(ShardedPublish.AUTO, ShardedPublish.parse("auto"));
        assertEquals(ShardedPublish.ON, ShardedPublish.parse("true"));
        assertEquals(ShardedPublish.ON, ShardedPublish.parse("on"));
        assertEquals(ShardedPublish.OFF, ShardedPublish.parse("false"));
        assertEquals(7, ShardedPublishDetector.major("7.0.15"));
        assertEquals(6, ShardedPublishDetector.major("6.2.14"));
        assertEquals(0, ShardedPublishDetector.major("unknown"));
    }

    @Test
    void invalidTopologyValuesNameTheirKey() {
        assertInvalid("spillway:\n  redis:\n    mode: sentinel\n", "spillway.redis.nodes");
        assertInvalid("spillway:\n  redis:\n    mode: cluster\n    nodes: []\n", "spillway.redis.nodes");
        assertInvalid("spillway:\n  redis:\n    mode: sentinel\n    nodes: [10.0.0.1:26379]\n", "spillway.redis.nodes");
        assertInvalid("spillway:\n  redis:\n    sharded-publish: maybe\n", "spillway.redis.sharded-publish");
        assertInvalid("spillway:\n  redis:\n    scan-interval: 0ms\n", "spillway.redis.scan-interval");
        assertInvalid("spillway:\n  redis:\n    subscription-pool-size: 0\n", "spillway.redis.subscription-pool-size");
        assertInvalid("spillway:\n  redis:\n    ping-interval: often\n", "spillway.redis.ping-interval");
    }

    @Test
    void aViewCountsReplacedMastersAsFailovers() {
        TopologyView before = new TopologyView(java.util.Set.of("a:1", "b:1", "c:1"));
        assertEquals(1, new TopologyView(java.util.Set.of("a:1", "b:1", "d:1")).replacedSince(before));
        assertEquals(0, new TopologyView(java.util.Set.of("a:1", "b:1")).replacedSince(before)); // shrunk: none replaced
        assertEquals(0, before.replacedSince(before));
    }

    private RedisSettings read(String yaml) throws Exception {
        Files.writeString(dir.resolve("ops.yaml"), yaml);
        return SettingsReader.read(new ConfigLoader(dir, Map.of("SPILLWAY_CONFIG", "ops.yaml")).load()).redis();
    }

    private void assertInvalid(String yaml, String key) {
        var e = assertThrows(InvalidConfigException.class, () -> read(yaml), yaml);
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
