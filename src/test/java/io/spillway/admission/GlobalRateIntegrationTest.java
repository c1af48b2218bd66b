package io.spillway.admission;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.spillway.admission.Traffic.assertRetryableError;
import static io.spillway.admission.Traffic.count;
import static io.spillway.admission.Traffic.event;
import static io.spillway.admission.Traffic.metric;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pod-wide rate against a real redis-server: a concurrent burst far over the rate gets the bucket's worth of
 * 200s and 429s for the rest, every 200 is exactly one PUBLISH and no 429 publishes anything, and the metrics count
 * both.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GlobalRateIntegrationTest {
    private static final int RATE = 20;
    private static final int BURST = 60;
    private static final int REQUESTS = 300;

    private final RedisNode redis;
    private GatewayHarness gateway;

    GlobalRateIntegrationTest(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeAll
    void start() {
        Map<String, String> overrides = new HashMap<>(Traffic.redisBroker(redis.uri()));
        overrides.put("spillway.admission.global-rate", Integer.toString(RATE));
        overrides.put("spillway.admission.global-burst", Integer.toString(BURST));
        gateway = GatewayHarness.start(overrides);
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void burstOverTheGlobalRateGetsTheBucketsWorthAndEveryAdmittedMessageIsPublishedOnce() {
        // the warm-up spent no tokens of the clients' bucket: it is full (the burst) once the pod is ready
        Await.until("global bucket full", Duration.ofSeconds(10),
                    () -> gateway.gateway().admission().globalTokens() == BURST);
        double admittedBefore = admitted();
        double rejectedBefore = rejectedGlobalRate();

        try (RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:1001:*")) {
            long start = System.nanoTime();
            List<HttpResponse<String>> responses = Traffic.concurrently(6, REQUESTS, i -> gateway.publish(
                    "events", event("m" + i, "burst")));
            double seconds = (System.nanoTime() - start) / 1e9;

            long ok = count(responses, 200);
            long limited = count(responses, 429);
            assertEquals(REQUESTS, ok + limited, () -> "only 200s and 429s expected: " + statuses(responses));
            // the first BURST requests find tokens; after that at most RATE per second of the burst's duration
            long most = BURST + (long) Math.ceil(RATE * seconds) + 1;
            assertTrue(ok >= BURST && ok <= most,
                       () -> ok + " admitted in " + seconds + " s; expected " + BURST + ".." + most);
            responses.stream().filter(r -> r.statusCode() == 429).forEach(
                    r -> assertRetryableError(r, 429, "Rate limit exceeded for this gateway"));

            Set<String> admittedData = IntStream.range(0, REQUESTS)
                    .filter(i -> responses.get(i).statusCode() == 200)
                    .mapToObj(i -> "m" + i)
                    .collect(Collectors.toSet());
            assertTrue(sub.awaitCount((int) ok, Duration.ofSeconds(15)),
                       () -> "only " + sub.count() + " of " + ok + " admitted messages arrived");
            // a marker after the burst: whatever the burst published has arrived once the marker has
            Await.until("a token for the marker", Duration.ofSeconds(10),
                        () -> gateway.gateway().admission().globalTokens() >= 1);
            assertEquals(200, gateway.publish("events", event("marker", "marker")).statusCode());
            assertTrue(sub.awaitCount(m -> m.channel().endsWith(":marker"), 1, Duration.ofSeconds(10)),
                       "marker never arrived");
            Set<String> delivered = new HashSet<>();
            for (RedisSubscriber.Message m : sub.messages().stream()
                    .filter(m -> !m.channel().endsWith(":marker")).toList()) {
                String data = m.payload().replaceAll(".*\"data\":\"([^\"]*)\".*", "$1");
                assertTrue(delivered.add(data), () -> "delivered twice: " + data);
            }
            assertEquals(admittedData, delivered, "exactly the admitted requests were published");

            assertAll("metrics count this burst",
                      () -> assertEquals(ok + 1, admitted() - admittedBefore, "the burst's 200s and the marker"),
                      () -> assertEquals(limited, rejectedGlobalRate() - rejectedBefore));
        }
    }

    private double admitted() {
        return metric(gateway, "spillway_admission_admitted_total", Map.of("app", "1001"));
    }

    private double rejectedGlobalRate() {
        return metric(gateway, "spillway_admission_rejected_total", Map.of("reason", "global_rate", "app", ""));
    }

    private static Map<Integer, Long> statuses(List<HttpResponse<String>> responses) {
        return responses.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
    }
}
