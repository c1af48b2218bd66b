package io.spillway.api;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public listener's limits from YAML (here set small, so each can be seen): idle connections are closed by the
 * idle timeout, at most {@code max-tcp-connections} are served at once, a header block over
 * {@code max-headers-size} is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListenerLimitsIntegrationTest {
    private static final int MAX_CONNECTIONS = 4;
    private GatewayHarness gateway;

    @BeforeAll
    void start() {
        gateway = GatewayHarness.start(Map.of(
                "server.max-tcp-connections", Integer.toString(MAX_CONNECTIONS),
                "server.idle-connection-timeout", "PT2S",
                "server.idle-connection-period", "PT0.2S",
                "server.protocols.http_1_1.max-headers-size", "2048"));
        // the warm-up's keep-alive connections would hold permits: the idle timeout closes them first
        try {
            Thread.sleep(2500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void anIdleConnectionIsClosedByTheIdleTimeout() {
        try (RawHttp idle = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofMillis(500))) {
            assertFalse(idle.closedByServer(), "closed well before the 2 s idle timeout");
            idle.readTimeout(Duration.ofSeconds(10));
            // 2 s timeout, looked for every 0.2 s: closed soon after 2 s; 10 s (Helidon's default 5 min otherwise)
            assertTrue(idle.closedByServer(), "the idle connection stayed open");
        }
    }

    @Test
    void connectionsOverTheCapWaitUntilOneCloses() {
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10));
                assertEquals(404, http.send(get()).read().status(), "connection " + i + " is served");
                held.add(http);
            }
            try (RawHttp over = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofMillis(700))) {
                over.send(get());
                assertThrowsTimeout(over);
                held.removeFirst().close();
                over.readTimeout(Duration.ofSeconds(10));
                assertEquals(404, over.read().status(), "served once a connection closed");
            }
        } finally {
            held.forEach(RawHttp::close);
        }
    }

    @Test
    void aHeaderBlockOverMaxHeadersSizeIsRefused() {
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            RawHttp.Response response = http.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Filler: " + "f".repeat(3000)
                                                          + "\r\n\r\n").read();
            assertEquals(400, response.status(), response.toString());
            assertEquals("application/json", response.header("Content-Type"));
        }
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            assertEquals(404, http.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Filler: " + "f".repeat(1500)
                                                + "\r\n\r\n").read().status(), "under the limit is served");
        }
    }

    private static void assertThrowsTimeout(RawHttp http) {
        try {
            RawHttp.Response response = http.readHead();
            throw new AssertionError("a connection over the cap was served: " + response);
        } catch (IOException e) {
            assertTrue(e instanceof java.net.SocketTimeoutException, e.toString());
        }
    }

    private static String get() {
        return "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
    }
}
