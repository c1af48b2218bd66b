package io.spillway.soketi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import io.spillway.api.PusherSignature;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.soketi.NodePusherSdk;
import io.spillway.testing.soketi.PusherJsClients;
import io.spillway.testing.soketi.PusherJsClients.Client;
import io.spillway.testing.soketi.SoketiInstall;
import io.spillway.testing.soketi.SoketiNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Spillway in front of a real soketi 1.6.1 fleet: two soketi nodes on one Redis, a pusher-js client on each,
 * Spillway in {@code soketi} wire format. Publishes from the official Java and Node server SDKs reach both clients
 * exactly once; {@code socket_id} exclusion holds across nodes; the channel queries report the clients'
 * subscriptions; Redis is killed and restarted (Spillway answers 503 meanwhile, and every event it acknowledges
 * afterwards is delivered); terminate_connections disconnects a user's sockets.
 */
@Tag("chaos")
class SoketiFleetEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = GatewayHarness.APP_ID;
    private static final String KEY = GatewayHarness.APP_KEY;
    private static final String SECRET = GatewayHarness.APP_SECRET;
    private static final Duration DELIVERY = Duration.ofSeconds(10);

    @Test
    void publishesQueriesAndOutageThroughARealSoketiFleet() throws Exception {
        SoketiInstall install = SoketiInstall.require();
        try (RedisNode redis = RedisNode.start();
             SoketiNode one = SoketiNode.start(install, redis.port(), APP, KEY, SECRET);
             SoketiNode two = SoketiNode.start(install, redis.port(), APP, KEY, SECRET);
             GatewayHarness gateway = GatewayHarness.start(Map.of(
                     "spillway.broker", "redis",
                     "spillway.redis.address", redis.uri(),
                     "spillway.redis.wire-format", "soketi",
                     "spillway.redis.soketi-query-timeout", "1s"));
             PusherJsClients clients = PusherJsClients.start(install, KEY, SECRET, List.of(
                     new Client("a", one.port(), "u-a", List.of("orders", "presence-room")),
                     new Client("b", two.port(), "u-b", List.of("orders", "presence-room"))))) {
            Pusher java = new Pusher(APP, KEY, SECRET);
            java.setHost("127.0.0.1:" + gateway.gateway().publicPort());
            java.setEncrypted(false);
            NodePusherSdk node = new NodePusherSdk(install, gateway.gateway().publicPort(), APP, KEY, SECRET);
            String socketA = clients.socketId("a");
            String socketB = clients.socketId("b");

            // --- delivery: both SDKs, single, multi-channel and batch; socket_id excludes across nodes
            Map<String, String> expectedBoth = new LinkedHashMap<>(); // "event@channel" -> data
            String javaData = "{\"id\":42,\"text\":\"h\\u00e9llo \\\"quoted\\\" <&> \\\\ \\ud83d\\ude00\"}";
            assertOk(java.trigger("orders", "java-single", JSON.readValue(javaData, Map.class)));
            expectedBoth.put("java-single@orders", javaData);
            assertOk(java.trigger(List.of(new Event("orders", "java-batch", Map.of("n", 1)),
                                          new Event("presence-room", "java-batch", Map.of("n", 2)))));
            expectedBoth.put("java-batch@orders", "{\"n\":1}");
            expectedBoth.put("java-batch@presence-room", "{\"n\":2}");
            String nodeData = "plain \"text\" \\ ☃ 😀 </script> {not json";
            NodePusherSdk.Answer multi = node.trigger(List.of("orders", "presence-room"), "node-multi", nodeData, null);
            assertEquals(200, multi.status(), multi.body());
            expectedBoth.put("node-multi@orders", nodeData);
            expectedBoth.put("node-multi@presence-room", nodeData);
            assertOk(java.trigger("orders", "java-not-to-a", Map.of("x", 1), socketA));
            NodePusherSdk.Answer notToB = node.trigger(List.of("orders"), "node-not-to-b", "y", socketB);
            assertEquals(200, notToB.status(), notToB.body());
            assertOk(java.trigger("orders", "marker-1", Map.of()));

            awaitEvent(clients, "a", "marker-1");
            awaitEvent(clients, "b", "marker-1");
            for (String client : List.of("a", "b")) {
                Map<String, Integer> seen = counts(clients.events(client));
                expectedBoth.forEach((key, data) -> assertEquals(1, seen.getOrDefault(key, 0),
                                                                 client + " receives " + key + " exactly once: " + seen));
                for (JsonNode e : clients.events(client)) {
                    String key = e.path("event").asText() + "@" + e.path("channel").asText();
                    if (expectedBoth.containsKey(key)) {
                        assertSameData(expectedBoth.get(key), e.path("data").asText(), client + " " + key);
                    }
                }
            }
            assertEquals(0, counts(clients.events("a")).getOrDefault("java-not-to-a@orders", 0), "a was excepted");
            assertEquals(1, counts(clients.events("b")).getOrDefault("java-not-to-a@orders", 0), "b on the other node");
            assertEquals(0, counts(clients.events("b")).getOrDefault("node-not-to-b@orders", 0), "b was excepted");
            assertEquals(1, counts(clients.events("a")).getOrDefault("node-not-to-b@orders", 0), "a on the other node");

            // --- channel queries, answered by both soketi nodes over Redis
            JsonNode all = ok(java.get("/channels"));
            assertEquals(Set.of("orders", "presence-room"), names(all.path("channels")), all.toString());
            JsonNode presence = ok(java.get("/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count")));
            assertEquals(2, presence.path("channels").path("presence-room").path("user_count").asInt(), presence.toString());
            assertEquals(Set.of("presence-room"), names(presence.path("channels")));
            JsonNode orders = ok(java.get("/channels/orders", Map.of("info", "subscription_count")));
            assertTrue(orders.path("occupied").asBoolean(), orders.toString());
            assertEquals(2, orders.path("subscription_count").asInt(), orders.toString());
            JsonNode empty = ok(java.get("/channels/nobody-here"));
            assertFalse(empty.path("occupied").asBoolean(true), empty.toString());
            JsonNode users = ok(java.get("/channels/presence-room/users"));
            assertEquals(Set.of("u-a", "u-b"), ids(users), users.toString());
            JsonNode info = ok(java.post("/events", "{\"name\":\"with-info\",\"channels\":[\"presence-room\"],"
                    + "\"data\":\"i\",\"info\":\"user_count,subscription_count\"}"));
            assertEquals(2, info.path("channels").path("presence-room").path("user_count").asInt(), info.toString());
            assertEquals(2, info.path("channels").path("presence-room").path("subscription_count").asInt());

            // --- Redis killed: Spillway stays up and sheds with 503 + Retry-After; nothing is acknowledged
            redis.kill();
            long outageEnd = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int refused = 0;
            while (System.nanoTime() < outageEnd) {
                HttpResponse<String> r = gateway.publish("events",
                        "{\"name\":\"during-outage\",\"channel\":\"orders\",\"data\":\"" + refused + "\"}");
                assertEquals(503, r.statusCode(), "nothing is acknowledged while Redis is down: " + r.body());
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
                refused++;
                Thread.sleep(50);
            }
            HttpResponse<String> query = gateway.send(signedGet(gateway, "/apps/" + APP + "/channels"));
            assertEquals(503, query.statusCode(), query.body());
            assertTrue(query.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, gateway.admin("/observe/health/live").statusCode(), "liveness never depends on Redis");

            redis.restart();
            // soketi's subscriber connections come back on their own: wait for both before counting deliveries
            Await.until("both soketi nodes re-subscribed", Duration.ofSeconds(20),
                        () -> numsub(redis) == 2 && patternSubscribers(redis) == 2);
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String event = "after-outage-" + i;
                Await.until(event + " acknowledged", Duration.ofSeconds(15), () -> gateway.publish("events",
                        "{\"name\":\"" + event + "\",\"channel\":\"orders\",\"data\":\"d\"}").statusCode() == 200);
                acknowledged.add(event);
            }
            for (String client : List.of("a", "b")) {
                awaitEvent(clients, client, acknowledged.getLast());
                Map<String, Integer> seen = counts(clients.events(client));
                for (String event : acknowledged) {
                    assertTrue(seen.getOrDefault(event + "@orders", 0) >= 1, client + " lost " + event + ": " + seen);
                }
                assertEquals(0, seen.getOrDefault("during-outage@orders", 0), "no refused publish was delivered");
            }
            assertTrue(one.isAlive() && two.isAlive(), "the soketi fleet survived the outage");
            // Spillway's own subscription to the answers channel comes back asynchronously too: until it has, a
            // query answers 503 (retry later) like any other, so a client retries it
            Await.until("a channel query answered after the outage", Duration.ofSeconds(15),
                        () -> java.get("/channels/orders", Map.of("info", "subscription_count")).getStatus()
                                == Result.Status.SUCCESS);
            JsonNode afterOutage = ok(java.get("/channels/orders", Map.of("info", "subscription_count")));
            assertEquals(2, afterOutage.path("subscription_count").asInt(), "queries work again: " + afterOutage);

            // --- terminate_connections: the user's sockets are disconnected, the other user stays
            JsonNode terminated = ok(java.post("/users/u-a/terminate_connections", "{}"));
            assertEquals("{}", terminated.toString());
            clients.await("a told it was disconnected", DELIVERY, l -> "a".equals(l.path("client").asText())
                    && "pusher:error".equals(l.path("event").asText()) && l.path("data").asText().contains("4009"));
            clients.await("a's connection left the connected state", DELIVERY, l -> "a".equals(l.path("client").asText())
                    && "state".equals(l.path("type").asText()) && !"connected".equals(l.path("current").asText()));
            assertTrue(clients.lines("b", l -> "pusher:error".equals(l.path("event").asText())).isEmpty());
            assertOk(java.trigger("orders", "marker-2", Map.of()));
            awaitEvent(clients, "b", "marker-2");
            System.out.println("soketi e2e: " + refused + " publishes refused during the outage");
        }
    }

    private static HttpRequest signedGet(GatewayHarness gateway, String path) {
        String query = PusherSignature.signedQuery(KEY, SECRET, "GET", path, new byte[0],
                                                   System.currentTimeMillis() / 1000);
        return HttpRequest.newBuilder(URI.create(gateway.baseUri() + path + "?" + query))
                .timeout(Duration.ofSeconds(10)).GET().build();
    }

    private static long numsub(RedisNode redis) {
        try {
            List<?> reply = (List<?>) redis.command("PUBSUB", "NUMSUB", "redis-adapter#comms#req");
            return Long.parseLong(reply.get(1).toString());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long patternSubscribers(RedisNode redis) {
        try {
            String list = redis.command("CLIENT", "LIST").toString();
            return list.lines().filter(l -> l.contains(" psub=1 ")).count();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void awaitEvent(PusherJsClients clients, String client, String event) {
        clients.await(client + " receives " + event, DELIVERY, l -> client.equals(l.path("client").asText())
                && event.equals(l.path("event").asText()));
    }

    private static Map<String, Integer> counts(List<JsonNode> events) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        events.forEach(e -> counts.merge(e.path("event").asText() + "@" + e.path("channel").asText(), 1,
                                         Integer::sum));
        return counts;
    }

    /** pusher-js hands JSON data over parsed (clients.js re-serialises it), any other string as it came. */
    private static void assertSameData(String sent, String received, String what) throws Exception {
        JsonNode sentTree = tryParse(sent);
        if (sentTree != null && (sentTree.isObject() || sentTree.isArray())) {
            assertEquals(sentTree, JSON.readTree(received), what);
        } else {
            assertEquals(sent, received, what);
        }
    }

    private static JsonNode tryParse(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            return null;
        }
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> ids(JsonNode users) {
        Set<String> ids = new TreeSet<>();
        users.path("users").forEach(u -> ids.add(u.path("id").asText()));
        return ids;
    }

    private static JsonNode ok(Result result) throws Exception {
        assertOk(result);
        return JSON.readTree(result.getMessage());
    }

    private static void assertOk(Result result) {
        assertEquals(Result.Status.SUCCESS, result.getStatus(), result.getHttpStatus() + " " + result.getMessage());
    }
}
