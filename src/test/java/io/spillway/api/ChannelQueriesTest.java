package io.spillway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.soketi.FakeSoketiNode;
import org.junit.jupiter.api.Test;

/**
 * Pusher's channel queries over HTTP: 501 without a soketi fleet; in soketi mode, Pusher's shapes, Pusher's 400s,
 * and a 503 with Retry-After when the fleet does not answer in time. Fake soketi nodes answer (no Node needed);
 * SoketiFleetEndToEndTest runs the same endpoints against real soketi.
 */
class ChannelQueriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withoutASoketiFleetTheQueriesAnswer501() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of())) {
            for (String path : new String[] {"/channels", "/channels/orders", "/channels/presence-x/users"}) {
                HttpResponse<String> r = get(gateway, path, Map.of());
                assertEquals(501, r.statusCode(), path + ": " + r.body());
                assertTrue(JSON.readTree(r.body()).path("error").asText().contains("wire-format: soketi"), r.body());
            }
            HttpResponse<String> terminate = post(gateway, "/users/u-1/terminate_connections", "{}");
            assertEquals(501, terminate.statusCode(), terminate.body());
            // info on a publish is ignored without a fleet, as before
            HttpResponse<String> publish = post(gateway, "/events",
                                                "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"info\":\"subscription_count\"}");
            assertEquals(200, publish.statusCode(), publish.body());
            assertEquals("{}", publish.body());
            assertEquals(404, get(gateway, "/../9999/channels", Map.of()).statusCode());
        }
    }

    /** The admission filter covers the query routes: past the pod's global rate they are refused before any work. */
    @Test
    void queriesAreAdmittedLikePublishes() {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of("spillway.admission.global-rate", "1",
                                                                  "spillway.admission.global-burst", "1"))) {
            int refused = 0;
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = i % 2 == 0 ? get(gateway, "/channels/orders", Map.of())
                                                    : post(gateway, "/users/u-1/terminate_connections", "{}");
                if (r.statusCode() == 429) {
                    refused++;
                    assertTrue(r.headers().firstValue("Retry-After").isPresent());
                } else {
                    assertEquals(501, r.statusCode(), r.body());
                }
            }
            assertTrue(refused >= 3, refused + " of 5 queries refused at 1 request/s");
        }
    }

    @Test
    void soketiModeAnswersInPushersShapes() throws Exception {
        try (RedisNode redis = RedisNode.start();
             FakeSoketiNode one = new FakeSoketiNode(redis.port(), r -> fakeAnswer(r, 2, "u-a"));
             FakeSoketiNode two = new FakeSoketiNode(redis.port(), r -> fakeAnswer(r, 1, "u-b"));
             GatewayHarness gateway = soketiGateway(redis)) {
            assertEquals("{\"channels\":{\"orders\":{},\"presence-room\":{}}}",
                         ok(get(gateway, "/channels", Map.of())));
            assertEquals("{\"channels\":{\"presence-room\":{\"user_count\":2}}}",
                         ok(get(gateway, "/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count"))));
            assertEquals("{\"channels\":{\"orders\":{\"subscription_count\":3}}}",
                         ok(get(gateway, "/channels", Map.of("filter_by_prefix", "ord", "info", "subscription_count"))));
            assertEquals("{\"occupied\":true,\"subscription_count\":3}",
                         ok(get(gateway, "/channels/orders", Map.of("info", "subscription_count"))));
            assertEquals("{\"occupied\":true,\"user_count\":2}",
                         ok(get(gateway, "/channels/presence-room", Map.of("info", "user_count"))));
            assertEquals("{\"users\":[{\"id\":\"u-a\"},{\"id\":\"u-b\"}]}",
                         ok(get(gateway, "/channels/presence-room/users", Map.of())));
            assertEquals("{}", ok(post(gateway, "/users/u-a/terminate_connections", "{}")));
            assertEquals("{\"channels\":{\"presence-room\":{\"user_count\":2,\"subscription_count\":3}}}",
                         ok(post(gateway, "/events", "{\"name\":\"e\",\"channels\":[\"presence-room\"],\"data\":\"d\","
                                 + "\"info\":\"user_count,subscription_count\"}")));
            assertEquals("{\"batch\":[{},{\"subscription_count\":3}]}",
                         ok(post(gateway, "/batch_events", "{\"batch\":[{\"name\":\"e\",\"channel\":\"orders\",\"data\":\"d\"},"
                                 + "{\"name\":\"e\",\"channel\":\"orders\",\"data\":\"d\",\"info\":\"subscription_count\"}]}")));

            assertEquals(400, get(gateway, "/channels", Map.of("info", "user_count")).statusCode(),
                         "user_count needs filter_by_prefix=presence-");
            assertEquals(400, get(gateway, "/channels/orders", Map.of("info", "user_count")).statusCode());
            assertEquals(400, get(gateway, "/channels/orders/users", Map.of()).statusCode(), "presence channels only");
            assertEquals(400, get(gateway, "/channels", Map.of("info", "bogus")).statusCode());
            assertEquals(401, gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUri()
                    + "/apps/1001/channels?auth_key=app-key&auth_timestamp=1&auth_version=1.0&auth_signature=x"))
                                                   .GET().build()).statusCode());
            assertEquals(405, gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUri() + "/apps/1001/channels"))
                                                   .DELETE().build()).statusCode());
        }
    }

    @Test
    void aFleetThatDoesNotAnswerInTimeIsA503AndNothingIsPublished() throws Exception {
        try (RedisNode redis = RedisNode.start();
             FakeSoketiNode silent = new FakeSoketiNode(redis.port(), r -> null);
             GatewayHarness gateway = soketiGateway(redis)) {
            HttpResponse<String> r = get(gateway, "/channels/orders", Map.of());
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertTrue(r.body().contains("0 of 1 nodes answered"), r.body());

            int before = silent.requests().size();
            try (var broadcasts = io.spillway.testing.redis.RedisSubscriber.subscribe(java.util.List.of(redis),
                                                                                      "redis-adapter")) {
                HttpResponse<String> publish = post(gateway, "/events",
                        "{\"name\":\"e\",\"channel\":\"orders\",\"data\":\"d\",\"info\":\"subscription_count\"}");
                assertEquals(503, publish.statusCode(), publish.body());
                silent.awaitRequests(before + 1);
                // an info publish asks first: the refused publish was never sent, so a retry duplicates nothing
                HttpResponse<String> plain = post(gateway, "/events", "{\"name\":\"e\",\"channel\":\"orders\",\"data\":\"d\"}");
                assertEquals(200, plain.statusCode());
                assertTrue(broadcasts.awaitCount(1, Duration.ofSeconds(5)));
                Thread.sleep(200);
                assertEquals(1, broadcasts.count(), "only the plain publish reached redis-adapter");
            }
        }
    }

    private static GatewayHarness soketiGateway(RedisNode redis) {
        return GatewayHarness.start(Map.of("spillway.broker", "redis", "spillway.redis.address", redis.uri(),
                                           "spillway.redis.wire-format", "soketi",
                                           "spillway.redis.soketi-query-timeout", "300ms"));
    }

    /** One soketi node's answer: {@code sockets} subscribers on orders and presence-room, one member. */
    private static String fakeAnswer(JsonNode request, int sockets, String member) {
        String id = "\"requestId\":\"" + request.path("requestId").asText() + "\"";
        return switch (request.path("type").asInt()) {
            case 8 -> "{" + id + ",\"channelsWithSocketsCount\":[[\"orders\"," + sockets + "],[\"presence-room\",1],"
                    + "[\"#server-to-user-" + member + "\",1]]}";
            case 6 -> "{" + id + ",\"totalCount\":" + (request.path("opts").path("channel").asText().equals("nobody")
                    ? 0 : sockets) + "}";
            case 3 -> "{" + id + ",\"members\":[[\"" + member + "\",{}]]}";
            default -> "{" + id + "}";
        };
    }

    private static String ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static HttpResponse<String> get(GatewayHarness gateway, String path, Map<String, String> params) {
        String full = "/apps/" + GatewayHarness.APP_ID + path;
        if (path.startsWith("/..")) {
            full = "/apps/9999" + path.substring(path.indexOf('/', 4));
        }
        // Pusher signs every query parameter, auth ones included, sorted by key
        TreeMap<String, String> query = new TreeMap<>(params);
        query.put("auth_key", GatewayHarness.APP_KEY);
        query.put("auth_timestamp", Long.toString(System.currentTimeMillis() / 1000));
        query.put("auth_version", "1.0");
        StringBuilder signed = new StringBuilder();
        query.forEach((k, v) -> signed.append(signed.isEmpty() ? "" : "&").append(k).append('=').append(v));
        String signature = PusherSignature.sign(GatewayHarness.APP_SECRET, "GET", full, query);
        return gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUri() + full + "?" + signed
                                                                      + "&auth_signature=" + signature))
                                    .timeout(Duration.ofSeconds(10)).GET().build());
    }

    private static HttpResponse<String> post(GatewayHarness gateway, String path, String body) {
        return gateway.send(gateway.signedPost("/apps/" + GatewayHarness.APP_ID + path, body, GatewayHarness.APP_KEY,
                                               GatewayHarness.APP_SECRET).build());
    }
}
