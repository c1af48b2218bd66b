package io.spillway.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official Pusher Java SDK publishes through Spillway into a real redis-server; a subscriber checks the wire. */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisBrokerEndToEndTest {
    private final RedisNode redis;
    private GatewayHarness gateway;
    private Pusher pusher;

    RedisBrokerEndToEndTest(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeAll
    void start() {
        gateway = GatewayHarness.start(Map.of("spillway.broker", "redis", "spillway.redis.address", redis.uri()));
        Await.until("gateway ready", Duration.ofSeconds(20),
                    () -> gateway.admin("/observe/health/ready").statusCode() == 200);
        pusher = new Pusher(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET);
        pusher.setHost("127.0.0.1:" + gateway.gateway().publicPort());
        pusher.setEncrypted(false);
    }

    @AfterAll
    void stop() throws Exception {
        pusher.close();
        gateway.close();
    }

    @Test
    void singleMultiChannelAndBatchEventsArriveOnceOnTheSpecChannelWithTheSpecPayload() {
        try (RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:1001:sdk-*")) {
            assertOk(pusher.trigger("sdk-a", "single", Map.of("n", 1)));
            assertOk(pusher.trigger(List.of("sdk-a", "sdk-b", "sdk-c"), "multi", "x", "12.34"));
            assertOk(pusher.trigger(List.of(new Event("sdk-b", "batched", "one"), new Event("sdk-c", "batched", "two"))));

            assertTrue(sub.awaitCount(6, Duration.ofSeconds(10)), () -> "got " + sub.messages());
            assertTrue(!sub.awaitCount(7, Duration.ofMillis(300)), () -> "duplicates: " + sub.messages());
            Map<String, List<String>> byChannel = sub.messages().stream().collect(Collectors.groupingBy(
                    RedisSubscriber.Message::channel,
                    Collectors.mapping(RedisSubscriber.Message::payload, Collectors.toList())));
            assertEquals(Map.of(
                    "spillway:1001:sdk-a", List.of(
                            "{\"event\":\"single\",\"channel\":\"sdk-a\",\"data\":\"{\\\"n\\\":1}\"}",
                            "{\"event\":\"multi\",\"channel\":\"sdk-a\",\"data\":\"\\\"x\\\"\",\"socket_id\":\"12.34\"}"),
                    "spillway:1001:sdk-b", List.of(
                            "{\"event\":\"multi\",\"channel\":\"sdk-b\",\"data\":\"\\\"x\\\"\",\"socket_id\":\"12.34\"}",
                            "{\"event\":\"batched\",\"channel\":\"sdk-b\",\"data\":\"\\\"one\\\"\"}"),
                    "spillway:1001:sdk-c", List.of(
                            "{\"event\":\"multi\",\"channel\":\"sdk-c\",\"data\":\"\\\"x\\\"\",\"socket_id\":\"12.34\"}",
                            "{\"event\":\"batched\",\"channel\":\"sdk-c\",\"data\":\"\\\"two\\\"\"}")),
                    byChannel);
        }
    }

    @Test
    void rawDataIsPublishedExactlyAsReceived() {
        String data = "{\"emoji\":\"\\u00e9\u00e9\ud83d\ude00\",\"nested\":{\"a\":[1,2]}}";
        String body = "{\"name\":\"raw\",\"channel\":\"raw-ch\",\"data\":" + quote(data) + "}";
        try (RedisSubscriber sub = RedisSubscriber.subscribe(List.of(redis), "spillway:1001:raw-ch")) {
            assertEquals(200, gateway.publish("events", body).statusCode());
            assertTrue(sub.awaitCount(1, Duration.ofSeconds(10)));
            assertEquals("{\"event\":\"raw\",\"channel\":\"raw-ch\",\"data\":" + quote(data) + "}",
                         sub.messages().getFirst().payload());
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void assertOk(Result result) {
        assertEquals(Result.Status.SUCCESS, result.getStatus(), result.getMessage());
    }
}
