package io.spillway.testing.redis;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("chaos")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterFixtureTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** {@code PUBSUB SHARDNUMSUB channel} on {@code node}: its sharded subscribers of that channel. */
    private static long shardSubscribers(RedisNode node, String channel) {
        List<?> reply = (List<?>) node.command("PUBSUB", "SHARDNUMSUB", channel);
        return ((Number) reply.get(1)).longValue();
    }

    @RegisterExtension
    static final RedisExtension<RedisClusterFixture> CLUSTER = RedisExtension.cluster();

    @Test
    @Order(1)
    void slotsHaveOwnersAndShardedMessagesReachTheOwningShard(RedisClusterFixture cluster) {
        assertEquals(6, cluster.seedUris().size());
        List<RedisNode> masters = cluster.masters();
        assertEquals(3, masters.size());
        assertEquals(3, cluster.replicas().size());
        assertEquals(12182, cluster.slotOf("foo"), "CRC16-based slot of 'foo' as documented by Redis");

        RedisNode owner = cluster.masterForKey("foo");
        assertEquals("OK", owner.command("SET", "foo", "bar"));
        RedisNode other = masters.stream().filter(m -> m != owner).findFirst().orElseThrow();
        RespClient.RespErrorException moved = assertThrows(RespClient.RespErrorException.class,
                () -> other.command("GET", "foo"));
        assertEquals("MOVED", moved.error().code());

        List<String> channels = List.of("orders", "payments", "users");
        try (RedisSubscriber sharded = RedisSubscriber.ssubscribe(cluster.nodes(), channels)) {
            // A sharded message reaches only the shard members whose SSUBSCRIBE is already in effect: wait for each
            // of them to count its subscriber (seen to lag on a loaded box), so the check below is about delivery.
            for (String channel : channels) {
                RedisNode shardMaster = cluster.masterForKey(channel);
                List<RedisNode> members = new java.util.ArrayList<>(cluster.replicasOf(shardMaster));
                members.add(shardMaster);
                for (RedisNode member : members) {
                    Await.until(channel + " subscribed on " + member.port(), TIMEOUT,
                                () -> shardSubscribers(member, channel) >= 1);
                }
            }
            for (String channel : channels) {
                assertEquals(1L, cluster.masterForKey(channel).command("SPUBLISH", channel, "m-" + channel));
            }
            assertTrue(sharded.awaitCount(2 * channels.size(), TIMEOUT),
                       () -> "each message once via the master, once via its replica: " + sharded.messages());
            for (String channel : channels) {
                RedisNode shardMaster = cluster.masterForKey(channel);
                Set<Integer> shard = cluster.replicasOf(shardMaster).stream().map(RedisNode::port).collect(Collectors.toSet());
                shard.add(shardMaster.port());
                Set<Integer> deliveredBy = sharded.messagesOn(channel).stream()
                        .map(RedisSubscriber.Message::nodePort).collect(Collectors.toSet());
                assertEquals(shard, deliveredBy, channel);
            }
            assertFalse(sharded.awaitCount(2 * channels.size() + 1, Duration.ofMillis(200)), "no other node delivers");
        }
    }

    @Test
    @Order(2)
    void killingAMasterPromotesItsReplica(RedisClusterFixture cluster) {
        int slot = cluster.slotOf("foo");
        RedisNode master = cluster.masterForSlot(slot);
        List<RedisNode> replicas = cluster.replicasOf(master);
        assertEquals(1, replicas.size());
        master.command("SET", "foo", "kept");
        assertEquals(1L, master.command("WAIT", "1", "5000"), "the replica acknowledged the write");

        long killedAt = System.nanoTime();
        RedisNode killed = cluster.killMaster(cluster.masters().indexOf(master));
        assertEquals(master, killed);
        assertFalse(killed.isAlive());
        cluster.awaitClusterOk(TIMEOUT);
        long failoverMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();

        RedisNode promoted = cluster.masterForSlot(slot);
        assertNotEquals(master, promoted);
        assertEquals(replicas.get(0), promoted);
        assertEquals(3, cluster.masters().size());
        assertEquals("kept", promoted.command("GET", "foo"));
        System.out.printf("cluster timings: replica promoted and cluster_state:ok after %d ms%n", failoverMillis);
    }
}
