package io.spillway.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.spillway.api.App;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.SseWatcher;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up's own HTTP/1.1 writer against a real gateway: every publish arrives once, and refusals are counted. */
class SyntheticTrafficTest {
    private static final App APP = new App(GatewayHarness.APP_ID, GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET);

    @Test
    void everyPublishIsAcceptedAndDeliveredOnce() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of());
             SseWatcher watcher = new SseWatcher(gateway, "hot-path").awaitOpen(Duration.ofSeconds(10))) {
            new SyntheticTraffic(APP, gateway.gateway()::publicPort).send(41);

            List<SseWatcher.Event> events = watcher.awaitEvents(41, Duration.ofSeconds(10));
            Set<String> distinct = events.stream().map(SseWatcher.Event::data).collect(Collectors.toSet());
            assertEquals(41, events.size(), "events: " + events);
            assertEquals(41, distinct.size(), "each publish once: " + events);
            assertTrue(distinct.stream().anyMatch(d -> d.contains("\\\"i\\\":40") || d.contains("\"i\":40")), events.toString());
        }
    }

    @Test
    void refusedPublishesFailTheWarmUp() {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of())) {
            App wrongSecret = new App(APP.id(), APP.key(), "not-the-secret");
            IllegalStateException failed = assertThrows(IllegalStateException.class,
                    () -> new SyntheticTraffic(wrongSecret, gateway.gateway()::publicPort).send(6));
            assertEquals("6 of 6 warm-up publishes failed (last status 401)", failed.getMessage());
        }
    }
}
