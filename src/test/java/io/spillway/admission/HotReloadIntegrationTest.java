package io.spillway.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import io.spillway.config.ConfigWatcher;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static io.spillway.admission.Traffic.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Admission settings reloaded in a running gateway from the file named by {@code SPILLWAY_CONFIG}: edits and
 * Kubernetes ConfigMap symlink swaps apply within a few seconds, an invalid file is refused and the running settings
 * stay, and requests in flight across reloads do not fail.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotReloadIntegrationTest {
    private static final Duration APPLIES_WITHIN = Duration.ofSeconds(6); // reload interval 1 s, loaded machine
    private static final String LOW = admission(2, 2, "");
    private static final String HIGH = admission(100_000, 100_000, "");

    private final RedisNode redis;
    /** Held strongly: JUL keeps loggers only weakly, and the handler must stay attached. */
    private final Logger watcherLog = Logger.getLogger(ConfigWatcher.class.getName());
    private final WatcherEvents events = new WatcherEvents();

    HotReloadIntegrationTest(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeEach
    void listen() {
        events.reset();
        watcherLog.addHandler(events);
    }

    @AfterEach
    void stopListening() {
        watcherLog.removeHandler(events);
    }

    @Test
    void editedRatesApplyAndAnInvalidFileKeepsTheRunningSettings(@TempDir Path dir) {
        Path config = dir.resolve("spillway.yaml");
        write(config, LOW);
        try (GatewayHarness gateway = start(config)) {
            assertTrue(someLimited(gateway), "rate 2/s at start");

            write(config, HIGH);
            Await.until("a raised rate to apply", APPLIES_WITHIN, () -> allPass(gateway));

            write(config, LOW);
            Await.until("a lowered rate to apply", APPLIES_WITHIN, () -> someLimited(gateway));

            int refusedBefore = events.refused.get();
            write(config, admission(-1, 2, ""));
            Await.until("the invalid file to be looked at", APPLIES_WITHIN, () -> events.refused.get() > refusedBefore);
            assertTrue(someLimited(gateway), "the running (low) rate must stay after an invalid file");
            assertEquals(200, gateway.admin("/observe/health/live").statusCode());
            assertEquals(200, gateway.admin("/observe/health/ready").statusCode());

            // the watcher survived the bad file: the next good one applies
            write(config, HIGH);
            Await.until("a raised rate to apply after a refused file", APPLIES_WITHIN, () -> allPass(gateway));

            int refusedAgain = events.refused.get();
            write(config, "spillway:\n  admission: [global-rate: 1\n");
            Await.until("the unparsable file to be looked at", APPLIES_WITHIN,
                        () -> events.refused.get() > refusedAgain);
            assertTrue(allPass(gateway), "the running (high) rate must stay after an unparsable file");
        }
    }

    @Test
    void aReloadedAppRateShowsInItsRateLimitHeader(@TempDir Path dir) {
        Path config = dir.resolve("spillway.yaml");
        write(config, appRate(1000));
        try (GatewayHarness gateway = start(config)) {
            assertEquals("1000", rateLimitHeader(gateway));

            write(config, appRate(2000));
            Await.until("X-RateLimit-Limit to follow the raised rate", APPLIES_WITHIN,
                        () -> "2000".equals(rateLimitHeader(gateway)));
            // back to a limit the gateway has answered with before
            write(config, appRate(1000));
            Await.until("X-RateLimit-Limit to follow the rate back", APPLIES_WITHIN,
                        () -> "1000".equals(rateLimitHeader(gateway)));
        }
    }

    @Test
    void aConfigMapSymlinkSwapApplies(@TempDir Path dir) throws IOException {
        // the kubelet's layout: config.yaml -> ..data/config.yaml, ..data -> ..<timestamp>/
        Path first = configMapVersion(dir, "..2026_11_26_10_00_00.0001", LOW);
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("..data", "config.yaml"));
        try (GatewayHarness gateway = start(dir.resolve("config.yaml"))) {
            assertTrue(someLimited(gateway), "rate 2/s at start");

            swapConfigMap(dir, "..2026_11_26_10_01_00.0002", HIGH);
            Await.until("the swapped-in raised rate to apply", APPLIES_WITHIN, () -> allPass(gateway));

            swapConfigMap(dir, "..2026_11_26_10_02_00.0003", LOW);
            Await.until("the swapped-in lowered rate to apply", APPLIES_WITHIN, () -> someLimited(gateway));
        }
    }

    @Test
    void requestsInFlightDuringReloadsDoNotFail(@TempDir Path dir) throws InterruptedException {
        Path config = dir.resolve("spillway.yaml");
        write(config, HIGH);
        try (GatewayHarness gateway = start(config)) {
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder answered = new LongAdder();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<Throwable> failures = new ArrayList<>();
            List<Thread> trickle = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                trickle.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            HttpResponse<String> r = gateway.publish("events", event("t" + thread + "-" + i, "c"));
                            statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                            if (r.statusCode() != 200) {
                                synchronized (failures) {
                                    failures.add(new AssertionError(r.statusCode() + " " + r.body()));
                                }
                            }
                        } catch (RuntimeException e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                        answered.increment();
                    }
                }));
            }
            // rates, the concurrency algorithm (a fresh limit while permits of the old one are out) and its bounds
            for (String next : List.of(
                    admission(200_000, 200_000, ""),
                    admission(200_000, 200_000, "    concurrency: {algorithm: vegas, initial: 64, min: 8, max: 512}\n"),
                    admission(300_000, 300_000, "    concurrency: {algorithm: fixed, initial: 256, min: 1, max: 512}\n"),
                    HIGH)) {
                long before = answered.sum();
                Await.until("traffic flowing before the reload", APPLIES_WITHIN, () -> answered.sum() >= before + 4);
                int reloaded = events.reloaded.get();
                write(config, next);
                Await.until("the reload", APPLIES_WITHIN, () -> events.reloaded.get() > reloaded);
            }
            long last = answered.sum();
            Await.until("traffic after the last reload", APPLIES_WITHIN, () -> answered.sum() >= last + 4);
            stop.set(true);
            for (Thread t : trickle) {
                t.join();
            }
            assertEquals(List.of(), failures, "requests failed during reloads");
            assertEquals(List.of(200), List.copyOf(statuses.keySet()), () -> "statuses during reloads: " + statuses);
            assertEquals(4, events.reloaded.get(), "every change was reloaded once");
        }
    }

    private GatewayHarness start(Path config) {
        GatewayHarness gateway = GatewayHarness.startNotReady(
                Traffic.redisBroker(redis.uri()),
                Map.of("SPILLWAY_CONFIG", config.toString()));
        try {
            gateway.awaitReady(Duration.ofSeconds(30));
            return gateway;
        } catch (RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
    }

    private static String admission(long rate, long burst, String extra) {
        return "spillway:\n  admission:\n    global-rate: " + rate + "\n    global-burst: " + burst + "\n" + extra;
    }

    private static String appRate(long rate) {
        return "spillway:\n  admission:\n    default-app-rate: " + rate + "\n    default-app-burst: " + 2 * rate + "\n";
    }

    private static String rateLimitHeader(GatewayHarness gateway) {
        HttpResponse<String> r = gateway.publish("events", event("h", "c"));
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("X-RateLimit-Limit").orElse("");
    }

    /** 20 requests, 4 at a time, all admitted. */
    private static boolean allPass(GatewayHarness gateway) {
        return burst(gateway).stream().allMatch(r -> r.statusCode() == 200);
    }

    /** 20 requests, 4 at a time, at least one refused by the rate. */
    private static boolean someLimited(GatewayHarness gateway) {
        return burst(gateway).stream().anyMatch(r -> r.statusCode() == 429);
    }

    /** 20 requests, 4 at a time; anything but 200 and 429 fails the test at once. */
    private static List<HttpResponse<String>> burst(GatewayHarness gateway) {
        List<HttpResponse<String>> responses = Traffic.concurrently(4, 20, i -> gateway.publish(
                "events", event("r" + i, "c")));
        responses.stream().filter(r -> r.statusCode() != 200 && r.statusCode() != 429).findFirst().ifPresent(
                r -> fail("unexpected " + r.statusCode() + " " + r.body()));
        return responses;
    }

    /** Replaces the file's content in one step, as an editor or a config tool that renames a temp file does. */
    private static void write(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path configMapVersion(Path dir, String name, String content) throws IOException {
        Path version = Files.createDirectory(dir.resolve(name));
        Files.writeString(version.resolve("config.yaml"), content);
        return version;
    }

    /** What the kubelet does on a ConfigMap update: new timestamped dir, new link, rename over ..data, delete old. */
    private static void swapConfigMap(Path dir, String name, String content) throws IOException {
        Path data = dir.resolve("..data");
        Path old = dir.resolve(Files.readSymbolicLink(data));
        configMapVersion(dir, name, content);
        Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(name));
        Files.move(tmpLink, data, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> files = Files.walk(old)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Counts the watcher's "reloaded" and "refused" log lines, so the test can wait for it to have looked. */
    private static final class WatcherEvents extends Handler {
        final AtomicInteger reloaded = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        void reset() {
            reloaded.set(0);
            refused.set(0);
        }

        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (message == null) {
                return;
            }
            if (record.getLevel() == Level.WARNING && message.contains("refused")) {
                refused.incrementAndGet();
            } else if (message.contains("reloaded")) {
                reloaded.incrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
