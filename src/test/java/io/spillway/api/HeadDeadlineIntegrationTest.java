package io.spillway.api;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spillway.listener.header-timeout} (2 s here): slowloris connections, a request line and then a header line
 * every second, are answered 408 and closed, while a normal client publishes meanwhile; a slow head that completes in
 * time, and a keep-alive connection idle between requests for longer than the deadline, are served. A request line
 * trickled byte by byte is left to the idle timeout (6 s here), which does close a connection still waiting for its
 * request line; one trickling headers it never closes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeadDeadlineIntegrationTest {
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final Duration IDLE = Duration.ofSeconds(6);
    /** Closed within the deadline + one sweep + this; without the deadline they would trickle on for 15 s. */
    private static final long LATEST_CLOSE_MS = DEADLINE.toMillis() + 3000;
    private static final int SLOWLORIS = 20;
    private GatewayHarness gateway;

    @BeforeAll
    void start() {
        gateway = GatewayHarness.start(Map.of("spillway.listener.header-timeout", DEADLINE.toMillis() + "ms",
                                              "server.idle-connection-timeout", "PT6S",
                                              "server.idle-connection-period", "PT0.5S"));
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void slowlorisConnectionsAreAnswered408AndClosedWhileAClientPublishes() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Trickle>> trickles = new ArrayList<>();
            for (int i = 0; i < SLOWLORIS; i++) {
                trickles.add(threads.submit(this::trickle));
            }
            int published = 0;
            long until = System.nanoTime() + Duration.ofMillis(LATEST_CLOSE_MS).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(200, gateway.publish("events", event("beside-slowloris")).statusCode());
                published++;
                Thread.sleep(100);
            }
            assertTrue(published > 10, "published " + published);
            for (Future<Trickle> future : trickles) {
                Trickle trickle = future.get();
                assertEquals(408, trickle.status(), trickle.toString());
                assertEquals("close", trickle.connection(), trickle.toString());
                assertTrue(trickle.closed(), "answered but left open: " + trickle);
                assertTrue(trickle.millis() >= DEADLINE.toMillis() - 100, "before the deadline: " + trickle);
                assertTrue(trickle.millis() <= LATEST_CLOSE_MS, "too late: " + trickle);
            }
        }
    }

    @Test
    void aSlowHeadCompleteWithinTheDeadlineIsServed() {
        String body = event("slow-head");
        String path = "/apps/" + GatewayHarness.APP_ID + "/events";
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                   body.getBytes(StandardCharsets.UTF_8),
                                                   System.currentTimeMillis() / 1000);
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            http.send("POST " + path + "?" + query + " HTTP/1.1\r\nHost: x\r\n");
            for (String header : List.of("Content-Type: application/json\r\n", "X-Slow: 1\r\n", "X-Slow: 2\r\n")) {
                pause(400); // 1.2 s of the 2 s deadline
                http.send(header);
            }
            RawHttp.Response response = http.send("Content-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertEquals(200, response.status(), response.toString());
        }
    }

    @Test
    void aKeepAliveConnectionIdleLongerThanTheDeadlineIsServed() {
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            assertEquals(404, http.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            pause(DEADLINE.toMillis() + 1500); // the time between requests is the idle timeout's, not the deadline's
            assertEquals(404, http.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
        }
    }

    @Test
    void aRequestLineTrickledByteByByteIsClosedByTheIdleTimeout() {
        byte[] target = ("GET /" + "x".repeat(100)).getBytes(StandardCharsets.ISO_8859_1); // never complete here
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofMillis(500))) {
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                closed = !http.trySend(new byte[] {target[i]}) || http.closedByServer(); // a byte per 0.5 s
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closed, "a trickled request line stayed open for " + millis + " ms");
            assertTrue(millis >= DEADLINE.toMillis() + 1000, "closed by the deadline, not the idle timeout: "
                                                              + millis + " ms");
            assertTrue(millis <= IDLE.toMillis() + 3000, "closed too late: " + millis + " ms");
        }
    }

    /** A request line, then one header line a second until answered or closed (at most 15 s). */
    private Trickle trickle() {
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            http.send("POST /apps/" + GatewayHarness.APP_ID + "/events HTTP/1.1\r\nHost: x\r\n");
            for (int line = 0; line < 15; line++) {
                try {
                    RawHttp.Response head = http.readHead();
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    http.readTimeout(Duration.ofSeconds(2));
                    return new Trickle(head.status(), head.header("Connection"), millis, http.closedByServer());
                } catch (SocketTimeoutException e) {
                    if (!http.trySend(("X-Trickle-" + line + ": x\r\n").getBytes(StandardCharsets.ISO_8859_1))) {
                        return new Trickle(-1, "", (System.nanoTime() - start) / 1_000_000, true);
                    }
                } catch (IOException e) {
                    return new Trickle(-1, e.toString(), (System.nanoTime() - start) / 1_000_000, true);
                }
            }
            return new Trickle(0, "still open", (System.nanoTime() - start) / 1_000_000, false);
        }
    }

    /** What one slowloris connection saw: the status (-1 closed without one, 0 never answered) and when. */
    private record Trickle(int status, String connection, long millis, boolean closed) {
    }

    private static String event(String name) {
        return "{\"name\":\"" + name + "\",\"channels\":[\"deadline\"],\"data\":\"{}\"}";
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
