package io.spillway.broker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spillway.config.SettingsReader;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.RedisClusterFixture;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSentinelGroup;
import io.spillway.testing.PrometheusText;

/** Gateway configurations for the Redis topologies, as an operator would write them, and checks on their nodes. */
final class TopologyGateways {
    private TopologyGateways() {
    }

    static Map<String, String> sentinel(RedisSentinelGroup group) {
        Map<String, String> config = base();
        config.put("spillway.redis.mode", "sentinel");
        config.put("spillway.redis.master-name", group.masterName());
        nodes(config, group.sentinelUris());
        return config;
    }

    static Map<String, String> cluster(RedisClusterFixture cluster) {
        Map<String, String> config = base();
        config.put("spillway.redis.mode", "cluster");
        nodes(config, cluster.seedUris());
        return config;
    }

    private static Map<String, String> base() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("spillway.broker", "redis");
        config.put("spillway.warmup.slow-start", "0s"); // the ramp after ready would blur the 503 window
        // The adaptive concurrency limit sheds on latency, and on a starved shared CI box latency comes from the CPU,
        // not from Redis: left on, its 503s would hide the ones these tests measure (broker unavailable).
        config.put("spillway.admission.enabled", "false");
        return config;
    }

    private static void nodes(Map<String, String> config, List<String> uris) {
        for (int i = 0; i < uris.size(); i++) {
            config.put("spillway.redis.nodes." + i, uris.get(i));
        }
    }

    /** The Redis settings the gateway would read from {@code config}. */
    static RedisSettings settings(Map<String, String> config) {
        return SettingsReader.read(GatewayHarness.loader(config, Map.of()).load()).redis();
    }

    static GatewayHarness startReady(Map<String, String> config) {
        GatewayHarness gateway = GatewayHarness.startNotReady(config, Map.of());
        try {
            gateway.awaitReady(Duration.ofSeconds(60));
            return gateway;
        } catch (RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
    }

    /** Connections the gateway's Redisson holds on {@code node}, recognised by their CLIENT SETNAME. */
    static long gatewayConnections(RedisNode node) {
        String clients = (String) node.command("CLIENT", "LIST");
        return clients.lines().filter(line -> line.contains(" name=spillway ")).count();
    }

    /** CLIENT LIST ids of the gateway's connections on {@code node}. */
    static java.util.Set<String> gatewayConnectionIds(RedisNode node) {
        String clients = (String) node.command("CLIENT", "LIST");
        return clients.lines().filter(line -> line.contains(" name=spillway "))
                .map(line -> line.substring(line.indexOf("id=") + 3, line.indexOf(' ')))
                .collect(java.util.stream.Collectors.toSet());
    }

    static boolean replicates(RedisNode node, int masterPort) {
        Map<String, String> view = node.info("replication");
        return "slave".equals(view.get("role")) && String.valueOf(masterPort).equals(view.get("master_port"))
                && "up".equals(view.get("master_link_status"));
    }

    /** The value of the first Prometheus series of {@code name}, if any. */
    static java.util.Optional<Double> metric(GatewayHarness gateway, String name) {
        return metric(gateway, name, Map.of());
    }

    /** The value of the first Prometheus series of {@code name} carrying {@code labels}, if any. */
    static java.util.Optional<Double> metric(GatewayHarness gateway, String name, Map<String, String> labels) {
        return PrometheusText.value(gateway.admin("/observe/metrics").body(), name, labels);
    }
}
