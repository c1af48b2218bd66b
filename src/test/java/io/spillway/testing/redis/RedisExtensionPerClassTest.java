package io.spillway.testing.redis;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisExtensionPerClassTest {

    private RedisNode first;

    RedisExtensionPerClassTest(RedisNode constructorInjected) {
        this.first = constructorInjected;
    }

    @RepeatedTest(2)
    void everyTestOfTheClassGetsTheSameRunningNode(RedisNode node) {
        assertSame(first, node);
        assertEquals("PONG", node.command("PING"));
    }
}
