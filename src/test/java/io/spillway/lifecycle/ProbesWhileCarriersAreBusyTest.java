package io.spillway.lifecycle;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.spillway.testing.GatewayHarness;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Probes must not depend on the virtual-thread scheduler the public listener saturates under a flood. Virtual
 * threads are not time-sliced, so busy ones occupying every carrier thread stand for a flooded public listener; the
 * admin port must still answer liveness and readiness at once.
 */
class ProbesWhileCarriersAreBusyTest {

    @Test
    void livenessAndReadinessAnswerWhileEveryCarrierThreadIsBusy() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(Map.of());
             HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            gw.awaitReady(Duration.ofSeconds(20));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> spinners = new ArrayList<>();
            // more busy virtual threads than carriers: none is ever free for another virtual thread
            int carriers = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < 4 * carriers; i++) {
                spinners.add(Thread.ofVirtual().start(() -> {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!stop.get() && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }));
            }
            try {
                Thread.sleep(200); // let them take the carriers
                for (String path : List.of("/observe/health/live", "/observe/health/ready")) {
                    HttpResponse<String> r = probe.send(HttpRequest.newBuilder(URI.create(gw.adminUri() + path))
                                                                .timeout(Duration.ofSeconds(3)).GET().build(),
                                                        HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), path + ": " + r.body());
                }
            } finally {
                stop.set(true);
                for (Thread t : spinners) {
                    t.join();
                }
            }
        }
    }
}
