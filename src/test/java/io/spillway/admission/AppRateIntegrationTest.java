package io.spillway.admission;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.spillway.admission.Traffic.TestApp;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.spillway.admission.Traffic.assertRetryableError;
import static io.spillway.admission.Traffic.batch;
import static io.spillway.admission.Traffic.event;
import static io.spillway.admission.Traffic.header;
import static io.spillway.admission.Traffic.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Per-app message rates through the real API and a real redis-server: an app over its rate gets 429 with
 * {@code X-RateLimit-*} while another app is not affected, a message costs one token per channel, and a request
 * whose messages do not all fit publishes none of them.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppRateIntegrationTest {
    /** Rate 5/s, burst 10: the limited app. */
    private static final TestApp LIMITED = TestApp.DEFAULT;
    /** A generous quota, used at the same time as LIMITED. */
    private static final TestApp OTHER = new TestApp("2002", "key-2002", "secret-2002");
    /** 1 token/s refill, so token counts barely move between two requests. */
    private static final TestApp SLOW = new TestApp("3003", "key-3003", "secret-3003");
    /** Also 1 token/s, burst 10: for the all-or-nothing test alone. */
    private static final TestApp SMALL = new TestApp("4004", "key-4004", "secret-4004");

    private final RedisNode redis;
    private GatewayHarness gateway;

    AppRateIntegrationTest(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeAll
    void start() {
        Map<String, String> overrides = new HashMap<>(Traffic.redisBroker(redis.uri()));
        overrides.putAll(LIMITED.overrides(0, 5, 10));
        overrides.putAll(OTHER.overrides(1, 1000, 1000));
        overrides.putAll(SLOW.overrides(2, 1, 40));
        overrides.putAll(SMALL.overrides(3, 1, 10));
        gateway = GatewayHarness.start(overrides);
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void anAppOverItsRateGets429WithRateLimitHeadersWhileAnotherAppPasses() {
        long start = System.nanoTime();
        HttpResponse<String> refused = null;
        int admitted = 0;
        while (refused == null) {
            HttpResponse<String> r = publish(gateway, LIMITED, "events", event("x", "a"));
            assertEquals(5, header(r, "X-RateLimit-Limit"), "X-RateLimit-Limit is the app's rate");
            long remaining = header(r, "X-RateLimit-Remaining");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(remaining >= 0 && remaining < 10, () -> "remaining " + remaining + " of a burst of 10");
                admitted++;
            }
            if (admitted > 40) {
                fail("an app with rate 5 and burst 10 was never limited");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int ok = admitted;
        assertTrue(ok >= 10 && ok <= 10 + Math.ceil(5 * seconds) + 1,
                   () -> ok + " admitted in " + seconds + " s before the first 429");
        assertRetryableError(refused, 429, "Rate limit exceeded for this app");
        assertEquals(0, header(refused, "X-RateLimit-Remaining"));

        // the other app is not limited by the first one's bucket, nor is the first one by the other's traffic
        List<HttpResponse<String>> other = Traffic.concurrently(4, 20, i -> publish(gateway, OTHER, "events",
                                                                                   event("o" + i, "b")));
        for (HttpResponse<String> r : other) {
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(1000, header(r, "X-RateLimit-Limit"));
        }
    }

    @Test
    void aMessageCostsOneTokenPerChannelAndPerBatchItem() {
        // SLOW refills one token per second: a refill between two requests is possible but rare, so each measured
        // cost may be one low, and at least one round must show the exact cost
        boolean exact = false;
        for (int round = 0; round < 3 && !exact; round++) {
            long before = header(publish(gateway, SLOW, "events", event("one", "c1")), "X-RateLimit-Remaining");
            long afterEvent = header(publish(gateway, SLOW, "events", event("three", "c1", "c2", "c3")),
                                     "X-RateLimit-Remaining");
            long afterBatch = header(publish(gateway, SLOW, "batch_events", batch("c1", List.of("1", "2", "3", "4"))),
                                     "X-RateLimit-Remaining");
            long eventCost = before - afterEvent;
            long batchCost = afterEvent - afterBatch;
            assertTrue(eventCost == 3 || eventCost == 2, () -> "a 3-channel event cost " + eventCost + " tokens");
            assertTrue(batchCost == 4 || batchCost == 3, () -> "a 4-item batch cost " + batchCost + " tokens");
            exact = eventCost == 3 && batchCost == 4;
        }
        assertTrue(exact, "three rounds each saw a refill between two requests");
    }

    @Test
    void aRequestWhoseMessagesDoNotAllFitPublishesNothing() {
        try (RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:4004:*")) {
            List<String> fits = List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9");
            HttpResponse<String> first = publish(gateway, SMALL, "batch_events", batch("c", fits));
            assertEquals(200, first.statusCode(), first.body());
            assertEquals(1, header(first, "X-RateLimit-Remaining"));

            // 6 messages need 5 more tokens than are left (5 s of refill): refused as a whole
            HttpResponse<String> tooMany = publish(gateway, SMALL, "batch_events",
                                                   batch("c", List.of("b1", "b2", "b3", "b4", "b5", "b6")));
            assertRetryableError(tooMany, 429, "costs 6 messages");
            // more than the burst can ever pass
            HttpResponse<String> overBurst = publish(gateway, SMALL, "events", event("never", IntStream.range(0, 11)
                    .mapToObj(i -> "ch" + i).toArray(String[]::new)));
            assertRetryableError(overBurst, 429, "costs 11 messages");

            HttpResponse<String> marker = publish(gateway, SMALL, "events", event("marker", "c"));
            assertEquals(200, marker.statusCode(), marker.body());
            // everything published before the marker has arrived once it has: a refused request's message would show
            assertTrue(sub.awaitCount(m -> m.payload().contains("\"data\":\"marker\""), 1, Duration.ofSeconds(10)),
                       () -> "got " + sub.messages());
            List<String> data = sub.messages().stream()
                    .map(m -> m.payload().replaceAll(".*\"data\":\"([^\"]*)\".*", "$1"))
                    .sorted()
                    .toList();
            // (a batch's items are published concurrently, so their order on the wire is not asserted)
            assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "marker"), data);
        }
    }
}
