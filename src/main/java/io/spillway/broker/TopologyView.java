package io.spillway.broker;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisCluster;
import org.redisson.api.redisnode.RedisMasterSlave;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;

/**
 * Where Redisson sends commands right now: the master (or, in a cluster, the masters) its connection entries point
 * at, as {@code host:port}. This is the client's own view, so it is exactly where the next PUBLISH goes.
 */
record TopologyView(Set<String> masters) {

    TopologyView {
        masters = Set.copyOf(new TreeSet<>(masters));
    }

    static TopologyView of(RedissonClient client, RedisSettings.Mode mode) {
        return new TopologyView(switch (mode) {
            case SINGLE -> Set.of(address(client.getRedisNodes(RedisNodes.SINGLE).getInstance().getAddr()));
            case SENTINEL -> addresses(masterOf(client.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE)));
            case CLUSTER -> addresses(mastersOf(client.getRedisNodes(RedisNodes.CLUSTER)));
        });
    }

    /** Masters of {@code previous} that are no longer masters here, while others took their place: failovers. */
    int replacedSince(TopologyView previous) {
        long gone = previous.masters.stream().filter(m -> !masters.contains(m)).count();
        long arrived = masters.stream().filter(m -> !previous.masters.contains(m)).count();
        return (int) Math.min(gone, arrived);
    }

    private static Collection<? extends RedisNode> masterOf(RedisMasterSlave nodes) {
        RedisNode master = nodes.getMaster();
        return master == null ? Set.of() : Set.of(master);
    }

    private static Collection<? extends RedisNode> mastersOf(RedisCluster nodes) {
        return nodes.getMasters();
    }

    private static Set<String> addresses(Collection<? extends RedisNode> nodes) {
        return nodes.stream().map(n -> address(n.getAddr())).collect(Collectors.toSet());
    }

    static String address(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return host + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return String.join(",", new TreeSet<>(masters));
    }
}
