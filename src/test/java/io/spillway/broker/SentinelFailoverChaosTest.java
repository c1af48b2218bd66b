package io.spillway.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.Map;

import io.spillway.lifecycle.LifecycleState;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.SseWatcher;
import io.spillway.testing.chaos.FailoverReport;
import io.spillway.testing.LivenessPoller;
import io.spillway.testing.PublishLoad;
import io.spillway.testing.chaos.Timeline;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSentinelGroup;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The master of a Sentinel group dies (SIGKILL) or hangs (SIGSTOP) under steady publish load. The gateway must keep
 * running and live, answer a short burst of 503s, resume on the promoted master, never acknowledge a message that no
 * subscriber gets, never publish to the old master once it is back as a replica, and keep its SSE watch streams.
 */
@Tag("chaos")
class SentinelFailoverChaosTest {
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    /** Sentinel converts a restarted old master after 4 hello periods, far later on a starved machine (seen > 30 s). */
    private static final Duration REJOIN = Duration.ofSeconds(90);
    private static final Duration GONE = Duration.ofSeconds(15);
    private static final Duration NOTICE = Duration.ofMillis(250);
    private static final List<String> CHANNELS = IntStream.range(0, 8).mapToObj(i -> "chaos-" + i).toList();
    private static final String WATCHED = CHANNELS.get(0);
    /** 3 publishers x 100/s: a few hundred requests per second. */
    private static final int PUBLISHERS = 3;
    private static final int RATE_EACH = 100;

    @RegisterExtension
    static final RedisExtension<RedisSentinelGroup> GROUP = RedisExtension.sentinelGroup().perTest();

    @Test
    void killedMaster(RedisSentinelGroup group) throws Exception {
        survive(group, "sentinel: kill -9 the master", Fault.KILL);
    }

    @Test
    void hungMaster(RedisSentinelGroup group) throws Exception {
        survive(group, "sentinel: SIGSTOP the master", Fault.PAUSE);
    }

    /**
     * A graceful failover ({@code SENTINEL FAILOVER}): the old master stays up and becomes a replica at once, so
     * for a moment it is a live, reachable replica that still accepts PUBLISH. Nothing acknowledged after the
     * promotion may go there.
     */
    @Test
    void demotedMaster(RedisSentinelGroup group) throws Exception {
        survive(group, "sentinel: SENTINEL FAILOVER (old master demoted, alive)", Fault.DEMOTE);
    }

    private enum Fault {
        KILL {
            @Override
            void inflict(RedisSentinelGroup group, RedisNode master) {
                master.kill();
            }

            @Override
            void heal(RedisNode master) {
                master.restart(); // sentinel, not the test, turns it into a replica
            }
        },
        PAUSE {
            @Override
            void inflict(RedisSentinelGroup group, RedisNode master) {
                master.pause();
            }

            @Override
            void heal(RedisNode master) {
                master.resume();
            }
        },
        DEMOTE {
            @Override
            void inflict(RedisSentinelGroup group, RedisNode master) {
                group.sentinels().get(0).command("SENTINEL", "FAILOVER", group.masterName());
            }

            @Override
            void heal(RedisNode master) {
                // nothing to heal: it never went away
            }
        };

        abstract void inflict(RedisSentinelGroup group, RedisNode master);

        abstract void heal(RedisNode master);
    }

    private void survive(RedisSentinelGroup group, String scenario, Fault fault) throws Exception {
        long began = System.nanoTime();
        RedisNode old = group.master();
        Timeline timeline = new Timeline();
        List<RedisSubscriber> subscribers = new ArrayList<>();
        // Following: sentinel kills pub/sub clients of the promoted and re-pointed nodes (CLIENT KILL TYPE pubsub).
        subscribers.add(RedisSubscriber.following().psubscribe(group.nodes(), "spillway:*"));
        try (GatewayHarness gateway = TopologyGateways.startReady(TopologyGateways.sentinel(group));
             LivenessPoller liveness = new LivenessPoller(gateway);
             SseWatcher watcher = new SseWatcher(gateway, WATCHED).awaitOpen(Duration.ofSeconds(10))) {
            timeline.mark("gateway ready");
            PublishLoad load = PublishLoad.start(gateway, CHANNELS, PUBLISHERS, RATE_EACH);
            int promoted;
            long rejoinedAt;
            try {
                Await.until("steady acknowledgements", Duration.ofSeconds(30), () -> load.acked() >= 300);
                timeline.mark("fault");
                fault.inflict(group, old);
                promoted = group.awaitMasterChange(old.port(), FAILOVER);
                long promotedAt = timeline.mark("promoted " + promoted);
                Await.until("an acknowledgement after the promotion", Duration.ofSeconds(20),
                            () -> load.count(a -> a.acked() && a.endNanos() > promotedAt) > 0);
                timeline.mark("first ack after promotion");

                fault.heal(old);
                timeline.mark("old master back");
                // A resumed node first works off what queued up while it hung, the gateway's closed connections too.
                try {
                    // Sentinel's part (it may sit in TILT for 30 s after a stall of the box), then the gateway's.
                    Await.until("sentinel to turn the old master into a replica of the new one", REJOIN,
                                () -> TopologyGateways.replicates(old, promoted));
                    Await.until("the gateway to hold no connection to the old master, now a replica", GONE,
                                () -> TopologyGateways.gatewayConnections(old) == 0);
                } catch (AssertionError notRejoined) {
                    throw new AssertionError(notRejoined.getMessage() + "\n" + rejoinState(group, old), notRejoined);
                }
                rejoinedAt = timeline.mark("old master is a replica");
                Await.until("acknowledgements after the rejoin", Duration.ofSeconds(30),
                            () -> load.count(a -> a.acked() && a.startNanos() > rejoinedAt) >= 300);
            } finally {
                load.stop(Duration.ofSeconds(15));
            }
            timeline.mark("load stopped");

            List<PublishLoad.Attempt> attempts = load.attempts();
            Set<String> acked = attempts.stream().filter(PublishLoad.Attempt::acked).map(PublishLoad.Attempt::data)
                    .collect(Collectors.toSet());
            awaitQuietly(Duration.ofSeconds(10),
                         () -> FailoverReport.byData(deliveries(subscribers)).keySet().containsAll(acked));
            FailoverReport report = new FailoverReport(scenario, timeline, attempts, deliveries(subscribers), "fault",
                                                       "promoted " + promoted);
            System.out.print(report);
            List<PublishLoad.Attempt> offMaster = report.missedOn(promoted, timeline.at("fault"));
            System.out.printf("  acknowledged after the fault but not published on the new master: %d%n", offMaster.size());
            offMaster.stream().limit(10).forEach(a -> System.out.printf("    %s %d..%d ms via %s%n", a.data(),
                    timeline.offset(a.startNanos()), timeline.offset(a.endNanos()),
                    FailoverReport.byData(deliveries(subscribers)).get(a.data())));
            report.lost().stream().limit(20).forEach(a -> System.out.printf("  lost %s on %s: %d..%d ms%n", a.data(),
                    a.channel(), timeline.offset(a.startNanos()), timeline.offset(a.endNanos())));
            subscribers.forEach(sub -> sub.gaps().forEach(g -> System.out.printf(
                    "  subscriber gap on %d: %d..%d ms%n", g.nodePort(), timeline.offsetOf(g.from()),
                    timeline.offsetOf(g.to()))));
            System.out.printf("  liveness polls %d, failed %d; load ticks skipped %d; SSE events %d; test took %d ms%n",
                              liveness.polls(), liveness.failures().size(), load.skipped(),
                              seen(watcher).size(),
                              Duration.ofNanos(System.nanoTime() - began).toMillis());

            assertEquals(LifecycleState.READY, gateway.gateway().lifecycle().state(), "the gateway kept serving");
            assertTrue(liveness.polls() > 0 && liveness.failures().isEmpty(), "liveness failed: " + liveness.failures());
            assertEquals(java.util.Map.of(), report.unexpected(), "only 2xx and 503 answers");
            if (fault != Fault.DEMOTE) {
                assertTrue(report.count(503) > 0, "a master failure is visible to clients as 503s, not hidden");
            }
            assertEquals(List.of(), report.lost(), "acknowledged but never delivered");
            // The gateway checks the sentinels every scan-interval/4 (125 ms); allow it twice that to notice.
            assertEquals(List.of(), report.missedOn(promoted, timeline.at("promoted " + promoted) + NOTICE.toNanos()),
                         "acknowledged after the promotion but not published on the new master");
            assertEquals(0, TopologyGateways.gatewayConnections(old), "gateway connections on the demoted master");
            // Behaviour, not a benchmark: resumed by itself within a few 500 ms scan intervals. The figure itself is
            // the report's and bin/bench failover's: 2.2-3.6 s seen here with the box 5x oversubscribed, < 1 s quiet.
            assertTrue(report.resumeMillis().orElseThrow() <= 5000,
                       "publishing resumed " + report.resumeMillis().orElseThrow() + " ms after the promotion");

            // The watch stream re-subscribed on the new master: it shows what was acknowledged after the rejoin.
            Set<String> watchedAfterRejoin = attempts.stream()
                    .filter(a -> a.acked() && a.channel().equals(WATCHED) && a.startNanos() > rejoinedAt)
                    .map(PublishLoad.Attempt::data).collect(Collectors.toSet());
            Await.until("the SSE stream to show every message acknowledged after the rejoin", Duration.ofSeconds(10),
                        () -> seen(watcher).containsAll(watchedAfterRejoin));
            assertTrue(!watchedAfterRejoin.isEmpty());

            String master = "127.0.0.1:" + promoted;
            Await.until("the master gauge to name " + master, Duration.ofSeconds(10), () -> TopologyGateways
                    .metric(gateway, "spillway_redis_master", Map.of("address", master)).orElse(0.0) == 1.0);
            assertTrue(TopologyGateways.metric(gateway, "spillway_redis_failovers_total").orElse(0.0) >= 1.0);
        } finally {
            subscribers.forEach(RedisSubscriber::close);
        }
    }

    /** What the old master, its gateway connections and the sentinels show: who of them kept it from rejoining. */
    private static String rejoinState(RedisSentinelGroup group, RedisNode old) {
        StringBuilder out = new StringBuilder();
        try {
            out.append("old master replication: ").append(old.info("replication")).append('\n');
            ((String) old.command("CLIENT", "LIST")).lines().filter(l -> l.contains(" name=spillway"))
                    .forEach(l -> out.append("gateway connection: ").append(l).append('\n'));
        } catch (RuntimeException e) {
            out.append("old master unreachable: ").append(e).append('\n');
        }
        for (RedisNode sentinel : group.sentinels()) {
            try {
                out.append("sentinel ").append(sentinel.port()).append(" tilt: ")
                        .append(sentinel.info("sentinel").get("sentinel_tilt")).append(", replicas: ")
                        .append(sentinel.command("SENTINEL", "REPLICAS", group.masterName())).append('\n');
                List<String> log = java.nio.file.Files.readAllLines(sentinel.logFile());
                log.subList(Math.max(0, log.size() - 30), log.size())
                        .forEach(l -> out.append("  ").append(l).append('\n'));
            } catch (RuntimeException | java.io.IOException e) {
                out.append("sentinel ").append(sentinel.port()).append(": ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    /** Waits for what should happen; the assertions afterwards say what did not. */
    static void awaitQuietly(Duration timeout, java.util.function.BooleanSupplier done) {
        try {
            Await.until("deliveries", timeout, done);
        } catch (AssertionError notYet) {
            // reported below
        }
    }

    /** The message data the watch stream has shown so far. */
    static Set<String> seen(SseWatcher watcher) {
        try {
            return watcher.awaitEvents(0, Duration.ZERO).stream().map(e -> FailoverReport.data(e.data()))
                    .collect(Collectors.toSet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<RedisSubscriber.Message> deliveries(List<RedisSubscriber> subscribers) {
        return subscribers.stream().flatMap(s -> s.messages().stream()).toList();
    }
}
