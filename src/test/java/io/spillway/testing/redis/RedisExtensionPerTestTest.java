package io.spillway.testing.redis;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisExtensionPerTestTest {

    @RegisterExtension
    final RedisExtension<RedisNode> redis = RedisExtension.node(RedisNode.builder().config("maxmemory 16mb")).perTest();

    private final List<RedisNode> seen = new ArrayList<>();

    @RepeatedTest(2)
    void everyTestGetsAFreshNodeAndTheLastOneIsGone(RedisNode node) {
        assertSame(redis.get(), node);
        assertEquals(List.of("maxmemory", String.valueOf(16 * 1024 * 1024)), node.command("CONFIG", "GET", "maxmemory"));
        seen.forEach(previous -> assertFalse(previous.isAlive(), previous + " outlived its test"));
        assertFalse(seen.contains(node));
        seen.add(node);
    }
}
