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
 * {@code BENCH_JVM_FLAGS} (gateway JVM flags), {@code BENCH_CLIENT} (helidon | jdk),
 * {@code BENCH_MAX_IN_FLIGHT} (generator cap), {@code BENCH_RESULTS} (results root), {@code BENCH_JAR} (the
 * gateway jar, e.g. a copy of an older build for before/after runs), {@code BENCH_COMPARE_JAR} ({@code peak}
 * also runs a redis-broker gateway from this jar in the same alternating rounds).
 */
public final class BenchMain {
    static final String DEFAULT_JVM_FLAGS = "-Xms64m -Xmx128m -XX:+UseSerialGC";
    private static final List<String> SCENARIOS = List.of("capacity", "overload", "coldstart", "redis-outage",
                                                          "failover", "quick", "peak");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 1 || !SCENARIOS.contains(args[0])) {
            System.err.println("usage: bin/bench <" + String.join("|", SCENARIOS) + "|jmh [jmh args]>");
            System.exit(2);
        }
        String scenario = args[0];
        if (scenario.equals("failover")) {
            System.out.println("failover: not yet available (needs the Sentinel fixtures in the bench)");
            return;
        }
        Path jar = Path.of(env("BENCH_JAR", "target/spillway.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("target/spillway.jar is missing: build it first (bin/bench does)");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Path.of(env("BENCH_RESULTS", "bench/results")).resolve(scenario + "-" + stamp);
        List<String> jvm = Arrays.stream(env("BENCH_JVM_FLAGS", DEFAULT_JVM_FLAGS).trim().split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
        String status = "failed";
        try (Bench bench = new Bench(scenario, dir, jar, env("BENCH_CLIENT", "helidon"), jvm,
                                     Integer.parseInt(env("BENCH_MAX_IN_FLIGHT", "1024")))) {
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
            case "overload" -> s.overload(s.capacityOf("redis", Scenarios.Profile.FULL),
                                          new double[] {0.5, 1, 2, 4, 10}, true, Scenarios.Profile.FULL);
            case "coldstart" -> s.coldstart(s.capacityOf("redis", Scenarios.Profile.SHORT), 25);
            case "redis-outage" -> s.redisOutage(0.5 * s.capacityOf("redis", Scenarios.Profile.SHORT), 10, 10, 15);
            case "quick" -> {
                double capacity = s.capacity(Scenarios.Profile.SHORT);
                s.overload(capacity, new double[] {1, 4}, true, Scenarios.Profile.SHORT);
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
