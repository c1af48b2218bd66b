package io.spillway.lifecycle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.spillway.Main;
import io.spillway.testing.SteadyLoad;
import io.spillway.testing.redis.FreePorts;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM under load, against a real gateway process: readiness flips first, no admitted request fails, exit 0. */
@Tag("chaos")
class DrainTest {
    private static final Duration DRAIN_DELAY = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermDrainsGracefullyAndExitsZero() throws Exception {
        int publicPort = FreePorts.next();
        int adminPort = FreePorts.next();
        Path config = dir.resolve("drain.yaml");
        Files.writeString(config, """
                server:
                  port: %d
                  host: 127.0.0.1
                  sockets:
                    - name: admin
                      port: %d
                      host: 127.0.0.1
                spillway:
                  broker: memory
                  apps:
                    - {id: "1001", key: app-key, secret: app-secret}
                  warmup:
                    requests: 20
                    slow-start: 0s
                  lifecycle:
                    drain-delay: %dms
                    grace-period: %dms
                """.formatted(publicPort, adminPort, DRAIN_DELAY.toMillis(), GRACE.toMillis()));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                               "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.log").toFile());
        pb.environment().put("SPILLWAY_CONFIG", config.toString());
        Process gateway = pb.start();
        try {
            awaitStatus(adminPort, "/observe/health/ready", 200, Duration.ofSeconds(30));
            SteadyLoad load = new SteadyLoad("http://127.0.0.1:" + publicPort, "drain", 200).start();
            Thread.sleep(1000);

            long termAt = load.elapsedMillis();
            gateway.destroy(); // SIGTERM
            long flipped = awaitStatus(adminPort, "/observe/health/ready", 503, Duration.ofSeconds(2));
            boolean exited = gateway.waitFor(DRAIN_DELAY.plus(GRACE).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
            long exitAt = load.elapsedMillis();
            load.stop();
            String log = Files.readString(dir.resolve("gateway.log"));
            System.out.printf("SIGTERM at +%d ms; readiness DOWN after %d ms; exit after %d ms; %s%n", termAt,
                              flipped, exitAt - termAt, load.failureWindow());
            System.out.println(log);

            assertTrue(exited, "the gateway did not exit within drain-delay + grace period");
            assertEquals(0, gateway.exitValue(), log);
            List<SteadyLoad.Outcome> beforeClosing = load.outcomes().stream()
                    .filter(o -> o.sentAtMillis() < termAt + DRAIN_DELAY.toMillis() - 300).toList();
            assertTrue(beforeClosing.size() > 200, "load kept flowing during the drain delay");
            assertTrue(beforeClosing.stream().allMatch(o -> o.status() == 200),
                       "requests during the drain delay are served: " + load.failureWindow());
            assertTrue(load.outcomes().stream().noneMatch(o -> o.status() >= 500 && o.status() != 503),
                       "nothing fails after the drain delay except clean refusals: " + load.failureWindow());
        } finally {
            gateway.destroyForcibly();
        }
    }

    /** Polls until {@code path} answers {@code status}; returns how long that took, in ms. */
    private long awaitStatus(int port, String path, int status, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == status) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError(path + " did not answer " + status + " within " + timeout);
    }
}
