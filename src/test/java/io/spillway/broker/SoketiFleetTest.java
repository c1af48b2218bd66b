package io.spillway.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.soketi.FakeSoketiNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The soketi fleet's query protocol against real Redis, with fake soketi nodes answering on
 * {@code redis-adapter#comms#res} the way soketi 1.6.1 does.
 */
class SoketiFleetTest {
    private static RedisNode redis;
    private static RedissonClient client;
    private static SoketiFleet fleet;

    @BeforeAll
    static void start() {
        redis = RedisNode.start();
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        client = Redisson.create(config);
        fleet = new SoketiFleet(() -> client, new SoketiWireFormat("", "spillway-test"), Duration.ofMillis(500));
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        redis.close();
    }

    @Test
    void sumsEveryNodesChannelsAndNeverSubscribesToTheRequestChannel() throws Exception {
        try (FakeSoketiNode one = new FakeSoketiNode(redis.port(), r -> answer(r, "\"channelsWithSocketsCount\":"
                + "[[\"orders\",2],[\"presence-room\",1]]"));
             FakeSoketiNode two = new FakeSoketiNode(redis.port(), r -> answer(r, "\"channelsWithSocketsCount\":"
                     + "[[\"orders\",1],[\"empty\",0]]"))) {
            Map<String, Integer> channels = fleet.occupiedChannels("1001").get(2, TimeUnit.SECONDS);
            assertEquals(Map.of("orders", 3, "presence-room", 1), channels);
            JsonNode request = one.requests().getFirst();
            assertEquals("1001", request.path("appId").textValue(), "appId is a JSON string");
            assertEquals(8, request.path("type").intValue());
            assertTrue(request.path("requestId").isTextual());
            assertEquals(2L, numsub(), "only the two nodes subscribe to the request channel");
        }
    }

    @Test
    void usersAreDistinctAcrossNodesAndOptsCarryTheChannel() throws Exception {
        try (FakeSoketiNode one = new FakeSoketiNode(redis.port(), r -> answer(r,
                "\"members\":[[\"u-a\",{\"name\":\"a\"}],[\"u-b\",{}]]"));
             FakeSoketiNode two = new FakeSoketiNode(redis.port(), r -> answer(r, "\"members\":[[\"u-a\",{}]]"))) {
            Set<String> users = fleet.users("1001", "presence-room").get(2, TimeUnit.SECONDS);
            assertEquals(Set.of("u-a", "u-b"), users);
            JsonNode request = two.requests().getFirst();
            assertEquals(3, request.path("type").intValue());
            assertEquals("presence-room", request.path("opts").path("channel").textValue());
        }
    }

    @Test
    void terminateWaitsForEveryNodesAcknowledgement() throws Exception {
        try (FakeSoketiNode one = new FakeSoketiNode(redis.port(), r -> answer(r, null));
             FakeSoketiNode two = new FakeSoketiNode(redis.port(), r -> answer(r, null))) {
            fleet.terminateUserConnections("1001", "u-\"a").get(2, TimeUnit.SECONDS);
            assertEquals(9, one.requests().getFirst().path("type").intValue());
            assertEquals("u-\"a", two.requests().getFirst().path("opts").path("userId").textValue());
        }
    }

    @Test
    void aNodeThatDoesNotAnswerFailsTheQueryAfterTheDeadline() throws Exception {
        try (FakeSoketiNode one = new FakeSoketiNode(redis.port(), r -> answer(r, "\"totalCount\":2"));
             FakeSoketiNode silent = new FakeSoketiNode(redis.port(), r -> null)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                                                () -> fleet.subscriptionCount("1001", "orders").get(3, TimeUnit.SECONDS));
            assertInstanceOf(BrokerUnavailableException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("1 of 2 nodes answered"), e.getCause().getMessage());
        }
    }

    @Test
    void withoutAFleetNothingIsSubscribed() throws Exception {
        assertEquals(Map.of(), fleet.occupiedChannels("1001").get(2, TimeUnit.SECONDS));
        assertEquals(0, fleet.subscriptionCount("1001", "orders").get(2, TimeUnit.SECONDS));
    }

    @Test
    void answersForOtherRequestsAndMalformedAnswersAreIgnored() throws Exception {
        try (FakeSoketiNode one = new FakeSoketiNode(redis.port(), r -> {
            redis.command("PUBLISH", "redis-adapter#comms#res", "not json");
            redis.command("PUBLISH", "redis-adapter#comms#res", "{\"requestId\":\"someone-else\",\"totalCount\":7}");
            return answer(r, "\"totalCount\":1");
        })) {
            assertEquals(1, fleet.subscriptionCount("1001", "orders").get(2, TimeUnit.SECONDS));
        }
    }

    private static String answer(JsonNode request, String fields) {
        return "{\"requestId\":\"" + request.path("requestId").asText() + "\"" + (fields == null ? "" : "," + fields)
                + "}";
    }

    private static long numsub() {
        List<?> reply = (List<?>) redis.command("PUBSUB", "NUMSUB", "redis-adapter#comms#req");
        return Long.parseLong(reply.get(1).toString());
    }
}
