package io.spillway.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pod's own publishes (priming, warm-up, broker probes) stay out of the apps' channel namespace. */
class InternalChannelTest {
    @RegisterExtension
    static final RedisExtension<RedisNode> REDIS = RedisExtension.node();

    @Test
    void aConsumerOfTheAppNamespaceSeesOnlyAppMessages(RedisNode redis) {
        try (RedisSubscriber apps = RedisSubscriber.psubscribe(List.of(redis), "spillway:*");
             RedisSubscriber internal = RedisSubscriber.subscribe(List.of(redis), "_spillway:internal");
             GatewayHarness gateway = GatewayHarness.start(Map.of(
                     "spillway.broker", "redis", "spillway.redis.address", redis.uri(),
                     "spillway.lifecycle.probe-interval", "20ms"))) {
            // warm-up (20 publishes) plus probes every 20 ms: well past 30 within a few seconds
            assertTrue(internal.awaitCount(m -> m.payload().contains("\"channel\":\"probe\""), 10,
                                           Duration.ofSeconds(20)), "probes reach the internal channel");
            assertTrue(internal.count() >= 30, "warm-up and probes: " + internal.count());
            assertEquals(200, gateway.publish("events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}")
                    .statusCode());
            assertTrue(apps.awaitCount(1, Duration.ofSeconds(10)));
            assertEquals(1, apps.count(), "only the app's own message under spillway:*");
        }
    }
}
