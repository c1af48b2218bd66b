package io.spillway.testing.redis;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisNodeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void startsAnswersAndLeavesNothingBehind() {
        RedisNode node = RedisNode.start();
        Path dir = node.dir();
        try (node) {
            assertEquals("redis://127.0.0.1:" + node.port(), node.uri());
            assertEquals("PONG", node.command("PING"));
            assertEquals(List.of("save", ""), node.command("CONFIG", "GET", "save"));
            assertEquals(List.of("appendonly", "no"), node.command("CONFIG", "GET", "appendonly"));
            assertTrue(Files.isDirectory(dir));
        }
        assertFalse(node.isAlive());
        assertFalse(Files.exists(dir));
        Await.until("port released", TIMEOUT, () -> FreePorts.isFree(node.port()));
    }

    @Test
    void mapsEveryReplyType() {
        try (RedisNode node = RedisNode.start(); RespClient client = node.client()) {
            assertEquals("OK", client.command("SET", "k", "välue"));
            assertEquals("välue", client.command("GET", "k"));
            assertNull(client.command("GET", "missing"));
            assertEquals(3L, client.command("RPUSH", "list", "a", "b", "c"));
            assertEquals(List.of("a", "b", "c"), client.command("LRANGE", "list", "0", "-1"));
            RespClient.RespErrorException error = assertThrows(RespClient.RespErrorException.class,
                    () -> client.command("INCR", "list"));
            assertEquals("WRONGTYPE", error.error().code());
            // the connection stays usable after an error reply
            assertEquals("PONG", client.command("PING"));
        }
    }

    @Test
    void killedNodeRestartsOnTheSamePortWithoutData() {
        try (RedisNode node = RedisNode.start()) {
            int port = node.port();
            long pid = node.pid();
            node.command("SET", "k", "v");

            node.kill();
            assertFalse(node.isAlive());
            assertThrows(UncheckedIOException.class, () -> node.command("PING"));

            node.restart();
            assertTrue(node.isAlive());
            assertEquals(port, node.port());
            assertTrue(pid != node.pid());
            assertEquals("PONG", node.command("PING"));
            assertNull(node.command("GET", "k"), "no persistence: a restarted node is empty");
        }
    }

    @Test
    void restartWaitsWhileThePortIsBrieflyTaken() throws Exception {
        try (RedisNode node = RedisNode.start()) {
            node.kill();
            CompletableFuture<Void> restarted;
            try (ServerSocket squatter = new ServerSocket()) {
                squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), node.port()));
                restarted = CompletableFuture.runAsync(node::restart);
                Await.until("a failed bind attempt", TIMEOUT,
                        () -> node.logTail(50).contains("Address already in use"));
                assertFalse(restarted.isDone());
            }
            restarted.get(30, TimeUnit.SECONDS);
            assertEquals("PONG", node.command("PING"));
        }
    }

    @Test
    void pausedNodeAcceptsConnectionsButAnswersNothingUntilResumed() {
        try (RedisNode node = RedisNode.start()) {
            node.pause();
            assertTrue(node.isPaused());
            assertTrue(node.isAlive());
            UncheckedIOException timeout = assertThrows(UncheckedIOException.class,
                    () -> node.command(Duration.ofMillis(300), "PING"));
            assertThat(timeout.getCause(), instanceOf(SocketTimeoutException.class));

            node.resume();
            assertFalse(node.isPaused());
            assertEquals("PONG", node.command("PING"));
        }
    }

    @Test
    void replicaFollowsItsMaster() {
        try (RedisNode master = RedisNode.start();
             RedisNode replica = RedisNode.builder().replicaOf(master.port()).start()) {
            Await.until("replication link up", TIMEOUT,
                    () -> "up".equals(replica.info("replication").get("master_link_status")));
            master.command("SET", "k", "v");
            Await.until("key replicated", TIMEOUT, () -> "v".equals(replica.command("GET", "k")));
            assertEquals("slave", replica.info("replication").get("role"));
        }
    }
}
