package io.spillway.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Base of the tests whose every case must publish nothing: one gateway on a real Redis for the class, and after each
 * case "nothing was published" made checkable: publish one valid marker and see only the marker arrive. Redis
 * delivers in PUBLISH order, so anything the case published would have arrived before it.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MarkerCheck {
    protected final RedisNode redis;
    protected GatewayHarness gateway;
    private RedisSubscriber subscriber;

    protected MarkerCheck(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeAll
    void startGateway() {
        gateway = GatewayHarness.start(Map.of("spillway.broker", "redis", "spillway.redis.address", redis.uri()));
        Await.until("gateway ready", Duration.ofSeconds(20),
                    () -> gateway.admin("/observe/health/ready").statusCode() == 200);
    }

    @AfterAll
    void stopGateway() {
        gateway.close();
    }

    @BeforeEach
    void subscribe() {
        subscriber = RedisSubscriber.psubscribe(List.of(redis), "spillway:1001:*");
    }

    @AfterEach
    void nothingButTheMarkerWasPublished() {
        try (RedisSubscriber sub = subscriber) {
            String marker = "{\"name\":\"marker\",\"channel\":\"marker\",\"data\":\"m\"}";
            assertEquals(200, gateway.publish("events", marker).statusCode());
            assertTrue(sub.awaitCount(1, Duration.ofSeconds(10)), "marker never arrived");
            assertEquals(List.of("spillway:1001:marker"),
                         sub.messages().stream().map(RedisSubscriber.Message::channel).toList(),
                         "a rejected request published something");
        }
    }
}
