package io.spillway.api;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.PrometheusText;
import io.spillway.testing.RawHttp;
import io.spillway.testing.redis.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SSE watch streams: capped per app (429) and per pod (503), both counted in metrics; refused by the lifecycle gate
 * while draining; and an open stream, when the gateway drains, gets a closing comment and its end.
 */
class StreamCapsIntegrationTest {
    private static final String OTHER_APP = "1002";

    private GatewayHarness gateway;
    private final List<RawHttp> open = new ArrayList<>();

    @BeforeEach
    void start() {
        gateway = GatewayHarness.start(Map.of(
                "spillway.stream.max-per-app", "2",
                "spillway.stream.max-per-pod", "3",
                "spillway.stream.heartbeat", "200ms",
                "spillway.apps.1.id", OTHER_APP,
                "spillway.apps.1.key", "other-key",
                "spillway.apps.1.secret", "other-secret"));
    }

    @AfterEach
    void stop() {
        open.forEach(RawHttp::close);
        gateway.close();
    }

    @Test
    void streamsAreCappedPerAppAndPerPod() throws IOException {
        assertEquals(200, watch(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET).status());
        assertEquals(200, watch(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET).status());
        RawHttp.Response third = watch(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET);
        assertError(third, 429, "too many watch streams for app 1001 (limit 2)");

        assertEquals(200, watch(OTHER_APP, "other-key", "other-secret").status());
        RawHttp.Response overPod = watch(OTHER_APP, "other-key", "other-secret");
        assertError(overPod, 503, "too many watch streams on this gateway (limit 3)");
        assertEquals("1", overPod.header("Retry-After"));

        assertEquals(3.0, metric("spillway_streams_open"));
        assertEquals(1.0, metric("spillway_streams_refused_total", Map.of("reason", "app_cap")));
        assertEquals(1.0, metric("spillway_streams_refused_total", Map.of("reason", "pod_cap")));

        // a watcher that leaves frees its slot (noticed at the next heartbeat)
        open.removeFirst().close();
        awaitMetric("spillway_streams_open", 2.0);
        assertEquals(200, watch(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET).status());
    }

    @Test
    void drainingRefusesNewStreamsAndClosesOpenOnesWithAComment() throws IOException {
        RawHttp watcher = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10));
        open.add(watcher);
        assertEquals(200, watcher.send(request(GatewayHarness.APP_ID, GatewayHarness.APP_KEY,
                                                GatewayHarness.APP_SECRET)).readHead().status());

        gateway.gateway().lifecycle().draining();

        List<String> lines = new ArrayList<>();
        // up to the last chunk (size 0); the connection itself may stay open for the next request
        for (String line = watcher.readLine(); line != null && !line.equals("0"); line = watcher.readLine()) {
            lines.add(line);
        }
        assertTrue(lines.contains(":closing: gateway is draining, reconnect"), lines.toString());
        assertEquals(":closing: gateway is draining, reconnect", lines.get(lines.size() - 3), "the last event");

        RawHttp.Response refused = watch(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET);
        assertError(refused, 503, "Shutting down");
        assertEquals(1.0, metric("spillway_streams_refused_total", Map.of("reason", "draining")));
        assertEquals(0.0, metric("spillway_streams_open"));
    }

    /** Opens a stream and, when it opened, keeps it open (closed after the test). */
    private RawHttp.Response watch(String app, String key, String secret) throws IOException {
        RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10));
        RawHttp.Response head = http.send(request(app, key, secret)).readHead();
        if (head.status() == 200) {
            http.readLine(); // the chunk size of the first comment
            assertTrue(http.readLine().startsWith(":watching"), "subscribed before the first comment");
            open.add(http);
            return head;
        }
        try (http) {
            return http.read(head);
        }
    }

    private static String request(String app, String key, String secret) {
        String path = "/apps/" + app + "/channels/c/stream";
        String query = PusherSignature.signedQuery(key, secret, "GET", path, new byte[0],
                                                   System.currentTimeMillis() / 1000);
        return "GET " + path + "?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    private double metric(String name) {
        return metric(name, Map.of());
    }

    private double metric(String name, Map<String, String> labels) {
        return PrometheusText.value(gateway.admin("/observe/metrics").body(), name, labels).orElse(0.0);
    }

    private void awaitMetric(String name, double value) {
        Await.until(name + " = " + value, Duration.ofSeconds(5), () -> metric(name) == value);
    }

    private static void assertError(RawHttp.Response response, int status, String message) {
        assertEquals(status, response.status(), response.toString());
        assertEquals("application/json", response.header("Content-Type"));
        assertTrue(response.body().contains(message), response.body());
    }
}
