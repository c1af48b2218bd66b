package io.spillway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/bench <scenario>}: runs one scenario against freshly started redis-server and gateway processes and
 * writes {@code bench/results/<scenario>-<timestamp>/}. Settings come from environment variables:
 * {@code BENCH_JVM_FLAGS} (gateway JVM flags), {@code BENCH_CLIENT} (netty | helidon | jdk),
 * {@code BENCH_MAX_IN_FLIGHT} (generator cap), {@code BENCH_RESULTS} (results root), {@code BENCH_JAR} (the
 * gateway jar, e.g. a copy of an older build for before/after runs), {@code BENCH_COMPARE_JAR} ({@code peak}
 * also runs a redis-broker gateway from this jar in the same alternating rounds; {@code ab} compares with it),
 * {@code BENCH_RATES} ({@code ab}), {@code BENCH_CAPACITY} and {@code BENCH_JVM_SETS} ({@code jvm}: flag sets
 * separated by ';').
 */
public final class BenchMain {
    /**
     * Chosen with the {@code jvm} scenario (4x overload, admission on): a 128 MB heap collapsed (71/s served of
     * 4000/s admitted, p99 1.9 s), 256 MB with SerialGC served all 4000/s at p99 39 ms in 330 MB RSS; G1 with
     * the same heap 3473/s at p99 305 ms in 417 MB; JVM defaults 2293/s in 692 MB.
     */
    static final String DEFAULT_JVM_FLAGS = "-Xms128m -Xmx256m -XX:+UseSerialGC";
    private static final List<String> SCENARIOS = List.of("capacity", "overload", "coldstart", "redis-outage",
                                                          "failover", "quick", "peak", "startup", "jvm",
                                                          "clients", "ab");

    /** A flood that ignores Retry-After, and SDK users with a retry wrapper: 4 sends at most, +-50 % jitter. */
    private static final List<OpenLoopGenerator.ClientModel> BOTH_CLIENT_MODELS = List.of(
            OpenLoopGenerator.ClientModel.FLOOD, OpenLoopGenerator.ClientModel.retryAfter(4, 0.5));

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 1 || !SCENARIOS.contains(args[0])) {
            System.err.println("usage: bin/bench <" + String.join("|", SCENARIOS) + "|jmh [jmh args]>");
            System.exit(2);
        }
        String scenario = args[0];
        Path jar = Path.of(env("BENCH_JAR", "target/spillway.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("target/spillway.jar is missing: build it first (bin/bench does)");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Path.of(env("BENCH_RESULTS", "bench/results")).resolve(scenario + "-" + stamp);
        List<String> jvm = Arrays.stream(env("BENCH_JVM_FLAGS", DEFAULT_JVM_FLAGS).trim().split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
        String status = "failed";
        try (Bench bench = new Bench(scenario, dir, jar, env("BENCH_CLIENT", "netty"), jvm,
                                     Integer.parseInt(env("BENCH_MAX_IN_FLIGHT", "2048")))) {
            bench.log("results -> " + dir);
            try {
                run(scenario, new Scenarios(bench), bench);
                status = "complete";
            } catch (InterruptedException e) {
                status = "interrupted";
                throw e;
            } finally {
                idleStartFigure(bench);
                Report.write(bench, status);
                bench.log("report: " + dir.resolve("report.md") + " (" + status + ")");
            }
        }
    }

    private static void run(String scenario, Scenarios s, Bench bench) throws Exception {
        switch (scenario) {
            case "capacity" -> {
                s.capacity(Scenarios.Profile.FULL);
                s.peak(3, 8, 64);
            }
            case "peak" -> s.peak(5, 5, 64);
            case "overload" -> {
                // BENCH_CAPACITY skips the search (runs to compare with each other); BENCH_MODELS=flood|retry-after
                String given = env("BENCH_CAPACITY", "");
                double capacity = given.isBlank() ? s.capacityOf("redis", Scenarios.Profile.FULL)
                        : Double.parseDouble(given);
                String models = env("BENCH_MODELS", "both");
                s.overload(capacity, new double[] {0.5, 1, 2, 4, 10}, Scenarios.Profile.FULL,
                           BOTH_CLIENT_MODELS.stream().filter(m -> models.equals("both") || m.name().equals(models))
                                   .toList());
            }
            case "coldstart" -> {
                s.startup(3);
                s.coldstart(s.capacityOf("redis", Scenarios.Profile.SHORT), 25);
            }
            case "startup" -> s.startup(3);
            case "failover" -> s.failover(Double.parseDouble(env("BENCH_RATE", "2000")), 10, 20);
            case "ab" -> s.ab(Path.of(env("BENCH_COMPARE_JAR", "missing: set BENCH_COMPARE_JAR")),
                              Arrays.stream(env("BENCH_RATES", "2000,6000").split(",")).mapToDouble(Double::parseDouble)
                                      .toArray(), 3, Scenarios.Profile.SHORT);
            case "clients" -> s.clients(Double.parseDouble(env("BENCH_RATE", "4000")), Scenarios.Profile.FULL);
            case "jvm" -> s.jvmFlags(Double.parseDouble(env("BENCH_CAPACITY", "5000")),
                                     Arrays.asList(env("BENCH_JVM_SETS", String.join(";",
                                             "",
                                             "-Xms64m -Xmx128m -XX:+UseSerialGC",
                                             "-Xms128m -Xmx256m -XX:+UseSerialGC",
                                             "-Xms256m -Xmx256m -XX:+UseG1GC",
                                             "-Xms64m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"))
                                                           .split(";", -1)), Scenarios.Profile.SHORT);
            case "redis-outage" -> s.redisOutage(0.5 * s.capacityOf("redis", Scenarios.Profile.SHORT), 10, 10, 15);
            case "quick" -> {
                double capacity = s.capacity(Scenarios.Profile.SHORT);
                s.overload(capacity, new double[] {1, 4}, Scenarios.Profile.SHORT,
                           List.of(OpenLoopGenerator.ClientModel.FLOOD));
                s.redisOutage(0.5 * capacity, 3, 5, 5);
            }
            default -> throw new IllegalArgumentException(scenario);
        }
    }

    private static void idleStartFigure(Bench bench) {
        List<Double> starts = bench.readyMillis.stream().sorted().toList();
        if (!starts.isEmpty()) {
            double median = starts.get(starts.size() / 2);
            bench.figure("process start -> ready (no load, median)", median, "ms", "<= 1500", median <= 1500,
                         starts.size() + " starts, Redis up where used");
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
