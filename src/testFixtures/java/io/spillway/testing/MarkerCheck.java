package io.spillway.testing;

import java.time.Duration;
import java.util.List;

import io.spillway.testing.redis.RedisSubscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Nothing was published" made checkable: publish one valid marker after the case and see only the marker arrive.
 * Redis delivers in PUBLISH order, so anything the case published would have arrived before it.
 */
public final class MarkerCheck {
    private MarkerCheck() {
    }

    /** Publishes the marker to {@code marker} on app 1001 and asserts it is all {@code sub} (on 1001:*) saw. */
    public static void onlyTheMarkerArrives(GatewayHarness gateway, RedisSubscriber sub) {
        String marker = "{\"name\":\"marker\",\"channel\":\"marker\",\"data\":\"m\"}";
        assertEquals(200, gateway.publish("events", marker).statusCode());
        assertTrue(sub.awaitCount(1, Duration.ofSeconds(10)), "marker never arrived");
        assertEquals(List.of("spillway:1001:marker"),
                     sub.messages().stream().map(RedisSubscriber.Message::channel).toList(),
                     "a rejected request published something");
    }
}
