package io.spillway.lifecycle;

import java.io.IOException;
import java.net.ConnectException;
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
import io.spillway.testing.LatencyProxy;
import io.spillway.testing.PublishLoad;
import io.spillway.testing.redis.FreePorts;
import io.spillway.testing.redis.RedisNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM under load, against a real gateway process: readiness flips first, exit 0, and every request's outcome
 * is counted. A request sent before the drain delay ends is served (200), or, with Redis down, cleanly refused
 * (503); after it, a request is a 503 or a refused connection (the listener is gone: never reached the gateway).
 * A reset or any other missing answer is a failure.
 */
@Tag("chaos")
class DrainTest {
    private static final Duration DRAIN_DELAY = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermDrainsGracefullyAndExitsZero() throws Exception {
        Run run = drain("  broker: memory\n", 100, () -> { });
        assertTrue(run.beforeClosing().size() > 150, "load kept flowing during the drain delay");
        run.assertBeforeClosingAll(200);
        run.assertNothingUnanswered();
    }

    /**
     * Publishes take 1.5 s (a latency proxy in front of Redis; longer than Helidon's own 0.5 s shutdown grace):
     * those admitted before the drain delay ends are still in flight when new ones are refused, and must finish
     * within the grace period, not be cut off.
     */
    @Test
    void sigtermWithSlowPublishesLetsEveryAdmittedOneFinish() throws Exception {
        try (RedisNode redis = RedisNode.start(); LatencyProxy proxy = LatencyProxy.to(redis.port())) {
            Run run = drain(redis("redis://127.0.0.1:" + proxy.port()), 10,
                            () -> proxy.delay(Duration.ofMillis(1500)));
            assertTrue(run.beforeClosing().size() > 10, "load kept flowing during the drain delay");
            run.assertBeforeClosingAll(200);
            assertTrue(run.load().attempts().stream().anyMatch(o -> o.status() == 200
                               && o.sentAtMillis() + o.latencyMillis() > run.closingAt()),
                       "some publishes were still in flight when the drain delay ended");
            run.assertNothingUnanswered();
        }
    }

    /** Redis is gone when SIGTERM comes: every request is refused cleanly (circuit open), and the drain still ends. */
    @Test
    void sigtermDuringARedisOutageRefusesCleanlyAndExitsZero() throws Exception {
        try (RedisNode redis = RedisNode.start()) {
            Run run = drain(redis(redis.uri()), 100, redis::kill);
            List<PublishLoad.Attempt> refused = run.beforeClosing().stream()
                    .filter(o -> o.sentAtMillis() > run.termAt()).toList();
            assertTrue(!refused.isEmpty() && refused.stream().allMatch(o -> o.status() == 503),
                       "publishes with Redis down are 503s: " + refused.stream().map(PublishLoad.Attempt::status)
                               .distinct().toList());
            run.assertNothingUnanswered();
        }
    }

    private static String redis(String address) {
        return """
                  broker: redis
                  redis:
                    address: %s
                    response-timeout: 2s
                    publish-timeout: 3s
                    min-idle: 24          # opened before the proxy slows down: no connect through it
                    pool-size: 32
                    ping-interval: 0      # a PING slower than its interval would close the connection
                """.formatted(address);
    }

    private Run drain(String broker, int perSecond, Runnable beforeTerm) throws Exception {
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
                %s
                  apps:
                    - {id: "1001", key: app-key, secret: app-secret}
                  warmup:
                    requests: 20
                    slow-start: 0s
                  lifecycle:
                    drain-delay: %dms
                    grace-period: %dms
                """.formatted(publicPort, adminPort, broker.stripTrailing(), DRAIN_DELAY.toMillis(),
                              GRACE.toMillis()));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                               "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.log").toFile());
        pb.environment().put("SPILLWAY_CONFIG", config.toString());
        Process gateway = pb.start();
        try {
            awaitStatus(adminPort, "/observe/health/ready", 200, Duration.ofSeconds(30));
            beforeTerm.run();
            PublishLoad load = PublishLoad.steady("http://127.0.0.1:" + publicPort, "drain", perSecond);
            Thread.sleep(1000);

            long termAt = load.elapsedMillis();
            gateway.destroy(); // SIGTERM
            long flipped = awaitStatus(adminPort, "/observe/health/ready", 503, Duration.ofSeconds(2));
            boolean exited = gateway.waitFor(DRAIN_DELAY.plus(GRACE).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
            long exitAt = load.elapsedMillis();
            load.stop(Duration.ofSeconds(10));
            String log = Files.readString(dir.resolve("gateway.log"));
            System.out.printf("SIGTERM at +%d ms; readiness DOWN after %d ms; exit after %d ms; %s%n", termAt,
                              flipped, exitAt - termAt, load.failureWindow());
            System.out.println(log);
            assertTrue(exited, "the gateway did not exit within drain-delay + grace period");
            assertEquals(0, gateway.exitValue(), log);
            return new Run(load, termAt, termAt + DRAIN_DELAY.toMillis());
        } finally {
            gateway.destroyForcibly();
        }
    }

    /** The outcomes of one drain; {@code closingAt} is when new publishes start being refused (load clock, ms). */
    private record Run(PublishLoad load, long termAt, long closingAt) {
        /** Sent safely before the drain delay ends (300 ms of slack for the process's own clock). */
        List<PublishLoad.Attempt> beforeClosing() {
            return load.attempts().stream().filter(o -> o.sentAtMillis() < closingAt - 300).toList();
        }

        void assertBeforeClosingAll(int status) {
            List<PublishLoad.Attempt> other = beforeClosing().stream().filter(o -> o.status() != status).toList();
            assertTrue(other.isEmpty(), "requests during the drain delay must be " + status + ": "
                    + other.stream().map(o -> o.status() + " " + o.body()).distinct().toList());
        }

        /**
         * Every request got an HTTP answer (200 or a clean 503), or found no listener at all. One exception, after
         * the drain delay only: a request a pooled client sends on an idle keep-alive connection just as the
         * listener stops gets no answer (the connection closes under it); a client retries it elsewhere.
         */
        void assertNothingUnanswered() {
            List<PublishLoad.Attempt> failed = load.attempts().stream()
                    .filter(o -> o.status() != 200 && o.status() != 503)
                    .filter(o -> !(o.status() == -1 && o.body().contains(ConnectException.class.getName())))
                    .filter(o -> !(o.status() == -1 && o.sentAtMillis() > closingAt
                            && o.body().contains("header parser received no bytes")))
                    .toList();
            assertTrue(failed.isEmpty(), failed.size() + " requests failed (reset, timeout or error): "
                    + failed.stream().limit(5).map(o -> "+" + o.sentAtMillis() + " ms " + o.status() + " " + o.body())
                    .toList());
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
