package io.spillway.testing.redis;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisSubscriberTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void patternSubscriberCollectsEveryPublish() {
        try (RedisNode node = RedisNode.start();
             RedisSubscriber subscriber = RedisSubscriber.psubscribe(List.of(node), "spillway:*")) {
            assertEquals(1L, node.command("PUBLISH", "spillway:1001:orders", "{\"event\":\"a\"}"));
            node.command("PUBLISH", "spillway:1001:orders", "{\"event\":\"b\"}");
            node.command("PUBLISH", "spillway:1001:users", "{\"event\":\"c\"}");
            node.command("PUBLISH", "elsewhere", "ignored");

            assertTrue(subscriber.awaitCount(3, TIMEOUT));
            assertTrue(subscriber.awaitCount(m -> m.channel().endsWith(":orders"), 2, TIMEOUT));
            assertEquals(List.of("{\"event\":\"a\"}", "{\"event\":\"b\"}"),
                    subscriber.messagesOn("spillway:1001:orders").stream().map(RedisSubscriber.Message::payload).toList());
            assertTrue(subscriber.messages().stream().allMatch(m -> m.nodePort() == node.port()));
            assertFalse(subscriber.awaitCount(4, Duration.ofMillis(200)), "the non-matching channel must not arrive");
        }
    }

    @Test
    void aDeadNodeStopsContributingWhileOthersKeepDelivering() {
        try (RedisNode doomed = RedisNode.start();
             RedisNode survivor = RedisNode.start();
             RedisSubscriber subscriber = RedisSubscriber.subscribe(List.of(doomed, survivor), "ch")) {
            doomed.command("PUBLISH", "ch", "before");
            assertTrue(subscriber.awaitCount(1, TIMEOUT));

            doomed.kill();
            Await.until("dead node's socket to close", TIMEOUT,
                    () -> subscriber.connectedPorts().equals(Set.of(survivor.port())));
            survivor.command("PUBLISH", "ch", "after");

            assertTrue(subscriber.awaitCount(2, TIMEOUT));
            assertEquals(survivor.port(), subscriber.messages().get(1).nodePort());
            assertEquals("after", subscriber.messages().get(1).payload());
        }
    }
}
