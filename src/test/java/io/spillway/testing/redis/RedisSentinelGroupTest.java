package io.spillway.testing.redis;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("chaos")
class RedisSentinelGroupTest {

    /** Generous: a failed sentinel leader election retries after 2 x failover-timeout on a loaded box. */
    private static final Duration FAILOVER = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisExtension<RedisSentinelGroup> GROUP = RedisExtension.sentinelGroup();

    @Test
    void sentinelsPromoteAReplicaWhenTheMasterIsKilledAndTheOldMasterRejoins(RedisSentinelGroup group) {
        RedisNode initial = group.nodes().get(0);
        assertEquals(3, group.sentinelUris().size());
        assertTrue(group.sentinelUris().stream().allMatch(uri -> uri.startsWith("redis://127.0.0.1:")));
        assertEquals(initial.port(), group.currentMaster());
        assertEquals(2, group.replicas().size());
        initial.command("SET", "k", "v");
        assertEquals(2L, initial.command("WAIT", "2", "5000"), "both replicas acknowledged the write");

        long killedAt = System.nanoTime();
        initial.kill();
        int promoted = group.awaitMasterChange(initial.port(), FAILOVER);
        long failoverMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();

        assertNotEquals(initial.port(), promoted);
        assertEquals(promoted, group.currentMaster());
        assertEquals("v", group.master().command("GET", "k"), "the promoted replica kept the data");
        group.awaitReplicasAttached(FAILOVER);
        long reattachedMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        List<RedisNode> replicas = group.replicas();
        assertEquals(1, replicas.size());
        assertEquals(String.valueOf(promoted), replicas.get(0).info("replication").get("master_port"));

        group.rejoin(initial, FAILOVER);
        long rejoinedMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        assertEquals(promoted, group.currentMaster());
        assertEquals("slave", initial.info("replication").get("role"));
        assertEquals("v", initial.command("GET", "k"), "the rejoined node resynced from the new master");
        group.awaitSentinelsSettled(FAILOVER);
        long settledMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();

        System.out.printf("sentinel timings after kill: promoted %d ms, replica re-attached %d ms, old master rejoined %d ms,"
                + " sentinels settled %d ms%n", failoverMillis, reattachedMillis, rejoinedMillis, settledMillis);
    }
}
