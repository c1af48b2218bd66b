package io.spillway.admission;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.LatencyProxy;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.spillway.admission.Traffic.assertRetryableError;
import static io.spillway.admission.Traffic.event;
import static io.spillway.admission.Traffic.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The concurrency limit against a Redis that stops answering or slows down: requests over the limit are refused at
 * once with 503 instead of waiting behind the slow ones, in-flight publishes never exceed the limit, and the
 * adaptive (gradient2) limit shrinks under sustained slowness.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyIntegrationTest {
    private final RedisNode redis;

    ConcurrencyIntegrationTest(RedisNode redis) {
        this.redis = redis;
    }

    @Test
    void overTheLimitWhileRedisIsStoppedIsRefusedAtOnceAndInFlightStaysWithinTheLimit() throws InterruptedException {
        Map<String, String> overrides = new HashMap<>(Traffic.redisBroker(redis.uri()));
        overrides.putAll(Map.of("spillway.admission.concurrency.algorithm", "fixed",
                                "spillway.admission.concurrency.initial", "4",
                                "spillway.admission.concurrency.min", "1"));
        try (GatewayHarness gateway = GatewayHarness.start(overrides);
             RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:1001:*")) {
            AdmissionController admission = gateway.gateway().admission();
            AtomicInteger maxInflight = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            // a platform thread: a polling virtual thread would hold one of the few carriers the gateway runs on
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (sampling.get()) {
                    maxInflight.accumulateAndGet(admission.inflight(), Math::max);
                    LockSupport.parkNanos(100_000);
                }
            });
            int requests = 30;
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            AtomicInteger answered = new AtomicInteger();
            redis.pause();
            try {
                for (int i = 0; i < requests; i++) {
                    String body = event("m" + i, "c");
                    responses.add(CompletableFuture.supplyAsync(() -> gateway.publish("events", body),
                                                                r -> Thread.ofVirtual().start(r))
                                          .whenComplete((r, e) -> answered.incrementAndGet()));
                }
                // everything over the limit is answered while Redis is still stopped; 4 publishes wait for it
                Await.until("the requests over the limit to be refused", Duration.ofSeconds(20),
                            () -> answered.get() == requests - 4);
                assertEquals(4, admission.inflight(), "admitted publishes waiting for Redis");
                assertEquals(4, metric(gateway, "spillway_inflight", Map.of()));
                assertEquals(4, metric(gateway, "spillway_concurrency_limit", Map.of()));
            } finally {
                redis.resume();
            }
            List<HttpResponse<String>> done = responses.stream().map(CompletableFuture::join).toList();
            sampling.set(false);
            sampler.join();

            List<HttpResponse<String>> refused = done.stream().filter(r -> r.statusCode() == 503).toList();
            assertEquals(requests - 4, refused.size(), () -> "statuses: " + done.stream()
                    .map(r -> r.statusCode() + (r.body().contains("Overloaded") ? "" : " " + r.body())).toList());
            refused.forEach(r -> assertRetryableError(r, 503, "Overloaded"));
            assertEquals(4, done.stream().filter(r -> r.statusCode() == 200).count(),
                         "the admitted 4 are acknowledged once Redis answers again");
            assertTrue(maxInflight.get() <= 4, () -> "in flight reached " + maxInflight.get() + " over a limit of 4");
            assertTrue(sub.awaitCount(4, Duration.ofSeconds(10)));
            assertFalse(sub.awaitCount(5, Duration.ofMillis(300)), () -> "a refused request published: "
                    + sub.messages());
            assertEquals(requests - 4, metric(gateway, "spillway_admission_rejected_total",
                                              Map.of("reason", "concurrency", "app", "")));
        }
    }

    @Test
    void gradient2GrowsTheLimitWhileRedisIsFastAndShrinksItWhenRedisSlowsDown() throws InterruptedException {
        int initial = 16;
        try (LatencyProxy proxy = LatencyProxy.to(redis.port())) {
            Map<String, String> overrides = new HashMap<>(Traffic.redisBroker("redis://127.0.0.1:" + proxy.port()));
            overrides.putAll(Map.of("spillway.admission.concurrency.algorithm", "gradient2",
                                    "spillway.admission.concurrency.initial", Integer.toString(initial),
                                    "spillway.admission.concurrency.min", "2",
                                    "spillway.admission.concurrency.max", "64"));
            try (GatewayHarness gateway = GatewayHarness.start(overrides)) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger overloaded = new AtomicInteger();
                List<Thread> clients = new ArrayList<>();
                // twice as many clients as the limit: gradient2 only moves while the limit is what holds them back
                for (int t = 0; t < 2 * initial; t++) {
                    clients.add(Thread.ofVirtual().start(() -> {
                        while (!stop.get()) {
                            HttpResponse<String> r = gateway.publish("events", event("x", "c"));
                            if (r.statusCode() == 503) {
                                overloaded.incrementAndGet();
                                pause(20); // a client backing off, and no busy loop on a shared CPU
                            }
                        }
                    }));
                }
                try {
                    Await.until("the limit to grow over " + initial + " while Redis answers at once",
                                Duration.ofSeconds(20), () -> limit(gateway) > initial);
                    // every reply from Redis now takes 100 ms more: latency up, the limit comes down
                    proxy.delay(Duration.ofMillis(100));
                    Await.until("the limit to shrink below " + initial + " while Redis is slow",
                                Duration.ofSeconds(20), () -> limit(gateway) < initial);
                } finally {
                    stop.set(true);
                    proxy.delay(Duration.ZERO);
                    for (Thread t : clients) {
                        t.join();
                    }
                }
                // the clients over the limit waited in the backlog (the shipped 1 s budget) instead of being refused
                assertEquals(0, overloaded.get(), "requests over the limit were refused instead of waiting");
            }
        }
    }

    private static double limit(GatewayHarness gateway) {
        return metric(gateway, "spillway_concurrency_limit", Map.of());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
