package io.spillway.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.spillway.config.SettingsReader;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The pipelined publish path against a real redis-server: concurrent requests share pipelined writes, yet each
 * answers ACKED only for messages Redis acknowledged, never when Redis does not answer, and a full queue refuses
 * at once instead of growing.
 */
class RedissonBrokerPipelineTest {
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(1);

    private RedisNode redis;
    private RedissonBroker broker;

    @BeforeEach
    void start() {
        redis = RedisNode.start();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        redis.close();
    }

    private RedissonBroker connect(int capacity, int maxBatch, int poolSize) throws InterruptedException {
        RedisSettings settings = SettingsReader.redis(Config.just(ConfigSources.create(Map.of(
                "address", redis.uri(), "publish-timeout", PUBLISH_TIMEOUT.toMillis() + "ms", "min-idle", "1",
                "pool-size", Integer.toString(poolSize)))));
        broker = new RedissonBroker(settings, new SpillwayWireFormat("spillway:"), io.helidon.metrics.api.Metrics.globalRegistry(), capacity,
                                    maxBatch);
        broker.start();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!broker.connected() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat("connected to Redis", broker.connected(), is(true));
        return broker;
    }

    private static List<ChannelMessage> request(int client, int n) {
        return List.of(new ChannelMessage("1001", "a", "ev", "c" + client + "-" + n + "-a", null),
                       new ChannelMessage("1001", "b", "ev", "c" + client + "-" + n + "-b", null));
    }

    @Test
    void concurrentRequestsAreAckedOnlyWithEveryMessageDelivered() throws Exception {
        RedissonBroker b = connect(8192, 256, 4);
        int clients = 32;
        int perClient = 25;
        try (RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:*");
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<PublishResult>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    List<PublishResult> results = new ArrayList<>();
                    for (int n = 0; n < perClient; n++) {
                        results.add(b.publish(request(client, n)));
                    }
                    return results;
                }));
            }
            for (Future<List<PublishResult>> f : futures) {
                for (PublishResult r : f.get()) {
                    assertThat(r.detail(), r.ok(), is(true));
                    assertThat(r.acknowledged(), is(2));
                }
            }
            int expected = clients * perClient * 2;
            assertThat("every acknowledged message reached a subscriber",
                       sub.awaitCount(expected, Duration.ofSeconds(30)), is(true));
            Set<String> payloads = new HashSet<>();
            sub.messages().forEach(m -> payloads.add(m.payload()));
            assertThat("no message twice, none missing", payloads.size(), is(expected));
            assertThat(sub.messagesOn("spillway:1001:a").getFirst().payload(), containsString("\"channel\":\"a\""));
        }
    }

    @Test
    void noAcknowledgementFromRedisMeansNoSuccess() throws Exception {
        RedissonBroker b = connect(8192, 256, 4);
        assertThat(b.publish(request(0, 0)).ok(), is(true));
        redis.pause(); // SIGSTOP: connections stay open, nothing is answered
        try {
            long start = System.nanoTime();
            PublishResult r = b.publish(request(0, 1));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.ok(), is(false));
            assertThat(r.outcome(), is(PublishResult.Outcome.TIMEOUT));
            // the deadline plus scheduling slack: a publish that waited for Redisson's own timeouts would take seconds
            assertThat("the per-request deadline holds", millis, lessThan(PUBLISH_TIMEOUT.toMillis() + 500));
        } finally {
            redis.resume();
        }
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        PublishResult after = b.publish(request(0, 2));
        while (!after.ok() && System.nanoTime() < until) {
            Thread.sleep(50);
            after = b.publish(request(0, 2));
        }
        assertThat("publishing recovers once Redis answers again", after.ok(), is(true));
    }

    @Test
    void fullQueueRefusesAtOnceInsteadOfGrowing() throws Exception {
        // at most 2 one-message batches awaiting Redis plus 4 queued messages
        RedissonBroker b = connect(4, 1, 2);
        redis.pause();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PublishResult>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                futures.add(pool.submit(() -> b.publish(List.of(new ChannelMessage("1001", "a", "ev", "m" + n, null)))));
            }
            int refused = 0;
            for (Future<PublishResult> f : futures) {
                PublishResult r = f.get();
                assertThat(r.ok(), is(false));
                if (r.outcome() == PublishResult.Outcome.UNAVAILABLE) {
                    assertThat(r.detail(), containsString("queue full"));
                    refused++;
                }
            }
            // 40 submitted within milliseconds, long before the 1 s deadline frees a slot: at most 2 in flight
            // and 4 queued are accepted (and time out), every other one is refused at once
            assertThat("requests beyond the bound of 6 were refused", refused, greaterThanOrEqualTo(40 - 6));
        } finally {
            redis.resume();
        }
    }
}
