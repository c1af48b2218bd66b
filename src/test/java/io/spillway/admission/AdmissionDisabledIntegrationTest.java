package io.spillway.admission;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.spillway.admission.Traffic.TestApp;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.spillway.admission.Traffic.event;
import static io.spillway.admission.Traffic.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spillway.admission.enabled: false}: rates and the concurrency limit are off, however small they are. */
@ExtendWith(RedisExtension.class)
class AdmissionDisabledIntegrationTest {

    @Test
    void disabledAdmissionAdmitsEverythingOverTinyLimits(RedisNode redis) {
        Map<String, String> overrides = new HashMap<>(Traffic.redisBroker(redis.uri()));
        overrides.putAll(Map.of(
                "spillway.admission.enabled", "false",
                "spillway.admission.global-rate", "1",
                "spillway.admission.global-burst", "1",
                "spillway.admission.concurrency.algorithm", "fixed",
                "spillway.admission.concurrency.initial", "1",
                "spillway.admission.concurrency.min", "1",
                "spillway.admission.concurrency.max", "1"));
        overrides.putAll(TestApp.DEFAULT.overrides(0, 1, 1));
        try (GatewayHarness gateway = GatewayHarness.start(overrides);
             RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:1001:*")) {
            // 8 at a time over a concurrency limit of 1, 40 requests (60 messages) over rates of 1/s
            List<HttpResponse<String>> responses = Traffic.concurrently(8, 40, i -> publish(
                    gateway, TestApp.DEFAULT, "events", i % 2 == 0 ? event("m" + i, "c") : event("m" + i, "c", "d")));
            for (HttpResponse<String> r : responses) {
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.headers().firstValue("X-RateLimit-Limit").isEmpty(), "no rate applied, no rate header");
            }
            // a marker after them: once it arrived, everything published before it has, duplicates included
            assertEquals(200, publish(gateway, TestApp.DEFAULT, "events", event("marker", "marker")).statusCode());
            assertTrue(sub.awaitCount(m -> m.channel().endsWith(":marker"), 1, Duration.ofSeconds(15)),
                       "marker never arrived");
            List<String> data = sub.messages().stream()
                    .filter(m -> !m.channel().endsWith(":marker"))
                    .map(m -> m.channel() + "/" + m.payload().replaceAll(".*\"data\":\"([^\"]*)\".*", "$1"))
                    .toList();
            assertEquals(60, data.size(), "one message per (event, channel), no duplicates: " + data);
            assertEquals(60, new java.util.HashSet<>(data).size(), "duplicates: " + data);
        }
    }
}
