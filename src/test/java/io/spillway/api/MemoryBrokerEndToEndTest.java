package io.spillway.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.SseWatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The official Pusher Java SDK publishes through the embedded broker; the SSE watch stream shows each event. */
class MemoryBrokerEndToEndTest {
    private static GatewayHarness gateway;
    private static Pusher pusher;

    @BeforeAll
    static void start() {
        gateway = GatewayHarness.start(Map.of("spillway.broker", "memory"));
        pusher = new Pusher(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET);
        pusher.setHost("127.0.0.1:" + gateway.gateway().publicPort());
        pusher.setEncrypted(false);
    }

    @AfterAll
    static void stop() throws Exception {
        pusher.close();
        gateway.close();
    }

    @Test
    void sdkEventsArriveOnTheWatchStreamOnceEach() throws Exception {
        // The SDK JSON-encodes data itself: the string "plain" travels as the data string "\"plain\"".
        try (SseWatcher a = new SseWatcher(gateway, "room-a").awaitOpen(Duration.ofSeconds(10));
             SseWatcher b = new SseWatcher(gateway, "room-b").awaitOpen(Duration.ofSeconds(10))) {
            assertOk(pusher.trigger("room-a", "single", Map.of("n", 1)));
            assertOk(pusher.trigger(List.of("room-a", "room-b"), "multi", Map.of("n", 2), "123.456"));
            assertOk(pusher.trigger(List.of(new Event("room-b", "batched", Map.of("n", 3)),
                                            new Event("room-a", "batched", "plain"))));

            List<SseWatcher.Event> seenA = a.awaitEvents(3, Duration.ofSeconds(10));
            List<SseWatcher.Event> seenB = b.awaitEvents(2, Duration.ofSeconds(10));
            Thread.sleep(200); // anything extra (a duplicate) would arrive now
            assertEquals(List.of(
                    new SseWatcher.Event("single", "{\"event\":\"single\",\"channel\":\"room-a\",\"data\":\"{\\\"n\\\":1}\"}"),
                    new SseWatcher.Event("multi", "{\"event\":\"multi\",\"channel\":\"room-a\",\"data\":\"{\\\"n\\\":2}\",\"socket_id\":\"123.456\"}"),
                    new SseWatcher.Event("batched", "{\"event\":\"batched\",\"channel\":\"room-a\",\"data\":\"\\\"plain\\\"\"}")),
                    a.awaitEvents(3, Duration.ZERO));
            assertEquals(2, seenB.size(), seenB.toString());
            assertEquals("multi", seenB.get(0).name());
            assertEquals("{\"event\":\"batched\",\"channel\":\"room-b\",\"data\":\"{\\\"n\\\":3}\"}", seenB.get(1).data());
            assertEquals(3, seenA.size());
        }
    }

    @Test
    void watchStreamRequiresASignature() {
        var response = gateway.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gateway.baseUri() + "/apps/1001/channels/x/stream?auth_key=app-key")).build());
        assertEquals(401, response.statusCode());
    }

    private static void assertOk(Result result) {
        assertEquals(Result.Status.SUCCESS, result.getStatus(), result.getMessage());
        assertEquals(200, result.getHttpStatus());
    }
}
