package io.spillway.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.spillway.lifecycle.LifecycleState;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.SseWatcher;
import io.spillway.testing.chaos.FailoverReport;
import io.spillway.testing.LivenessPoller;
import io.spillway.testing.PublishLoad;
import io.spillway.testing.chaos.Timeline;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisClusterFixture;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster master dies (SIGKILL) under steady load over channels of every shard: its replica takes over, publishes
 * to every slot resume, nothing acknowledged is lost, and the killed node, restarted, rejoins as a replica.
 * Publishes are sharded (SPUBLISH, auto-detected on Redis 7), so the subscriber uses SSUBSCRIBE on every node.
 */
@Tag("chaos")
class ClusterFailoverChaosTest {
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final List<String> CHANNELS = IntStream.range(0, 48).mapToObj(i -> "chaos-" + i).toList();

    @RegisterExtension
    static final RedisExtension<RedisClusterFixture> CLUSTER = RedisExtension.cluster().perTest();

    @Test
    void killedMaster(RedisClusterFixture cluster) throws Exception {
        long began = System.nanoTime();
        RedisNode victim = cluster.masters().get(0);
        Map<String, Integer> slotOf = CHANNELS.stream().collect(Collectors.toMap(c -> c, c -> cluster.slotOf(redis(c))));
        List<String> victimChannels = CHANNELS.stream()
                .filter(c -> cluster.masterForSlot(slotOf.get(c)).port() == victim.port()).toList();
        assertTrue(!victimChannels.isEmpty() && victimChannels.size() < CHANNELS.size(),
                   "channels on the victim and on other shards: " + victimChannels);
        String watched = victimChannels.get(0);

        Timeline timeline = new Timeline();
        try (RedisSubscriber subscriber = RedisSubscriber.following()
                .ssubscribe(cluster.nodes(), CHANNELS.stream().map(ClusterFailoverChaosTest::redis).toList());
             GatewayHarness gateway = TopologyGateways.startReady(TopologyGateways.cluster(cluster));
             LivenessPoller liveness = new LivenessPoller(gateway);
             SseWatcher watcher = new SseWatcher(gateway, watched).awaitOpen(Duration.ofSeconds(10))) {
            timeline.mark("gateway ready");
            assertEquals(1.0, TopologyGateways.metric(gateway, "spillway_redis_sharded_publish").orElse(0.0),
                         "Redis 7 cluster: sharded publish detected");
            PublishLoad load = PublishLoad.start(gateway, CHANNELS, 3, 100);
            int promoted;
            long rejoinedAt;
            try {
                Await.until("steady acknowledgements", Duration.ofSeconds(30), () -> load.acked() >= 300);
                timeline.mark("fault");
                victim.kill();
                cluster.awaitClusterOk(FAILOVER);
                promoted = cluster.masterForSlot(slotOf.get(watched)).port();
                long promotedAt = timeline.mark("promoted " + promoted);
                Await.until("acknowledgements after the promotion on every channel", Duration.ofSeconds(20),
                            () -> load.attempts().stream().filter(a -> a.acked() && a.endNanos() > promotedAt)
                                    .map(PublishLoad.Attempt::channel).collect(Collectors.toSet())
                                    .containsAll(CHANNELS));
                timeline.mark("every slot publishes again");

                victim.restart();
                timeline.mark("killed master restarted");
                Await.until("the killed master to replicate its successor", FAILOVER,
                            () -> TopologyGateways.replicates(victim, promoted));
                rejoinedAt = timeline.mark("killed master is a replica");
                Await.until("acknowledgements after the rejoin", Duration.ofSeconds(30),
                            () -> load.count(a -> a.acked() && a.startNanos() > rejoinedAt) >= 300);
            } finally {
                load.stop(Duration.ofSeconds(15));
            }
            timeline.mark("load stopped");

            List<PublishLoad.Attempt> attempts = load.attempts();
            Set<String> acked = attempts.stream().filter(PublishLoad.Attempt::acked).map(PublishLoad.Attempt::data)
                    .collect(Collectors.toSet());
            SentinelFailoverChaosTest.awaitQuietly(Duration.ofSeconds(10),
                    () -> FailoverReport.byData(subscriber.messages()).keySet().containsAll(acked));
            FailoverReport report = new FailoverReport("cluster: kill -9 a master", timeline, attempts,
                                                       subscriber.messages(), "fault", "promoted " + promoted);
            System.out.print(report);
            System.out.printf("  channels on the killed shard: %d of %d; liveness polls %d, failed %d; SSE events %d;"
                                      + " test took %d ms%n", victimChannels.size(), CHANNELS.size(), liveness.polls(),
                              liveness.failures().size(), SentinelFailoverChaosTest.seen(watcher).size(),
                              Duration.ofNanos(System.nanoTime() - began).toMillis());

            assertEquals(LifecycleState.READY, gateway.gateway().lifecycle().state(), "the gateway kept serving");
            assertTrue(liveness.polls() > 0 && liveness.failures().isEmpty(), "liveness failed: " + liveness.failures());
            assertEquals(Map.of(), report.unexpected(), "only 2xx and 503 answers");
            assertEquals(List.of(), report.lost(), "acknowledged but never delivered");
            long promotedAt = timeline.at("promoted " + promoted);
            assertEquals(List.of(), report.missedOn(promoted, promotedAt).stream()
                                 .filter(a -> victimChannels.contains(a.channel())).toList(),
                         "acknowledged on the killed shard after the takeover but not published on its new master");
            assertEquals(0, TopologyGateways.gatewayConnections(victim), "gateway connections on the rejoined node");

            Set<String> watchedAfterRejoin = attempts.stream()
                    .filter(a -> a.acked() && a.channel().equals(watched) && a.startNanos() > rejoinedAt)
                    .map(PublishLoad.Attempt::data).collect(Collectors.toSet());
            assertTrue(!watchedAfterRejoin.isEmpty());
            Await.until("the SSE stream of the killed shard to show what was acknowledged after the rejoin",
                        Duration.ofSeconds(10),
                        () -> SentinelFailoverChaosTest.seen(watcher).containsAll(watchedAfterRejoin));

            String master = "127.0.0.1:" + promoted;
            Await.until("the master gauge to name " + master, Duration.ofSeconds(10), () -> TopologyGateways
                    .metric(gateway, "spillway_redis_master", Map.of("address", master)).orElse(0.0) == 1.0);
            assertTrue(TopologyGateways.metric(gateway, "spillway_redis_failovers_total").orElse(0.0) >= 1.0);
        }
    }

    /** The Redis channel the gateway publishes an app channel on (the SPEC wire format). */
    private static String redis(String channel) {
        return "spillway:" + GatewayHarness.APP_ID + ":" + channel;
    }
}
