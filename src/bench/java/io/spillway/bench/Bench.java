package io.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

import io.spillway.testing.LivenessPoller;
import io.spillway.testing.redis.FreePorts;
import io.spillway.testing.redis.RedisNode;

/**
 * One bench run: where results go, the processes it owns, the settings every phase shares, and what the report
 * will show (phases, timelines, figures).
 */
final class Bench implements AutoCloseable {
    static final List<PublishRequests.BenchApp> APPS = List.of(
            new PublishRequests.BenchApp("1001", "bench-key-1", "bench-secret-1"),
            new PublishRequests.BenchApp("1002", "bench-key-2", "bench-secret-2"),
            new PublishRequests.BenchApp("1003", "bench-key-3", "bench-secret-3"),
            new PublishRequests.BenchApp("1004", "bench-key-4", "bench-secret-4"));
    static final int CHANNELS = 8;
    static final int DATA_BYTES = 100;

    final String scenario;
    final Path dir;
    final Path raw;
    final Path jar;
    final Children children = new Children();
    final List<RedisNode> redisNodes = new ArrayList<>();
    final String transport;
    final List<String> jvmFlags;
    final int maxInFlight;
    final long startNanos = System.nanoTime();
    final PublishRequests requests = new PublishRequests(APPS, CHANNELS, DATA_BYTES);

    /** Report content, in the order it happened. */
    final List<Map<String, Object>> phases = new ArrayList<>();
    final List<Map<String, Object>> wrkPhases = new ArrayList<>();
    final Map<String, List<PerSecondRecord.Row>> timelines = new LinkedHashMap<>();
    final Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
    final Map<String, Object> facts = new LinkedHashMap<>();
    final List<Double> readyMillis = new ArrayList<>();

    Bench(String scenario, Path dir, Path jar, String transport, List<String> jvmFlags, int maxInFlight)
            throws IOException {
        this.scenario = scenario;
        this.dir = dir;
        this.raw = Files.createDirectories(dir.resolve("raw"));
        this.jar = jar;
        this.transport = transport;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.maxInFlight = maxInFlight;
    }

    double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    void log(String message) {
        System.out.printf("[%6.1fs] %s%n", now(), message);
    }

    /** A fresh redis-server (the suite's fixture); its log is copied into raw/ when the run ends. */
    RedisNode redis() {
        RedisNode redis = RedisNode.builder().name("bench-redis").start();
        redisNodes.add(redis);
        return redis;
    }

    /** Starts a gateway and waits until it is ready; records start → ready. */
    Gateway gateway(String name, String broker, RedisNode redis, Map<String, Object> admission)
            throws IOException, InterruptedException {
        return gateway(name, jar, broker, redis, admission);
    }

    /** As {@link #gateway(String, String, RedisNode, Map)}, from another jar (before/after comparisons). */
    Gateway gateway(String name, Path fromJar, String broker, RedisNode redis, Map<String, Object> admission)
            throws IOException, InterruptedException {
        return gateway(name, fromJar, broker, redis, admission, jvmFlags);
    }

    Gateway gateway(String name, Path fromJar, String broker, RedisNode redis, Map<String, Object> admission,
                    List<String> flags) throws IOException, InterruptedException {
        return gateway(name, fromJar, broker, redis, admission, flags, Map.of());
    }

    /** As above, with keys added under {@code server} (the public listener's limits). */
    Gateway gateway(String name, Path fromJar, String broker, RedisNode redis, Map<String, Object> admission,
                    List<String> flags, Map<String, Object> server) throws IOException, InterruptedException {
        Gateway.Options options = new Gateway.Options(broker, redis == null ? null : redis.uri(), admission, "0s",
                                                      flags, -1, server);
        Gateway gw = Gateway.launch(children, fromJar, raw, name, options, FreePorts.next(), FreePorts.next(), APPS);
        double ready = gw.awaitReady(Duration.ofSeconds(60));
        readyMillis.add(ready);
        log("gateway " + name + " ready in " + Math.round(ready) + " ms");
        prewarm(gw);
        return gw;
    }

    /** A few seconds of light load, not reported, so the JIT has compiled the publish path before a step. */
    void prewarm(Gateway gw) {
        warm(gw, 1000, 3);
    }

    /** {@code seconds} of open-loop load at {@code rate}, not reported. */
    void warm(Gateway gw, double rate, int seconds) {
        try (RequestSender t = sender(gw.port())) {
            new OpenLoopGenerator(t, requests, maxInFlight, 20, null).run(seconds, s -> rate, 5);
        }
    }

    Gateway launch(String name, String broker, RedisNode redis, Map<String, Object> admission, String slowStart)
            throws IOException {
        return launch(name, broker, redis, admission, slowStart, FreePorts.next(), FreePorts.next());
    }

    Gateway launch(String name, String broker, RedisNode redis, Map<String, Object> admission, String slowStart,
                   int port, int adminPort) throws IOException {
        Gateway.Options options = new Gateway.Options(broker, redis == null ? null : redis.uri(), admission,
                                                      slowStart, jvmFlags);
        return Gateway.launch(children, jar, raw, name, options, port, adminPort, APPS);
    }

    static Map<String, Object> admissionOff() {
        return Map.of("enabled", false);
    }

    /** The shipped admission defaults, with the bench apps' own rates out of the way. */
    static Map<String, Object> admissionShipped() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("enabled", true);
        a.put("default-app-rate", 10_000_000);
        a.put("default-app-burst", 10_000_000);
        return a;
    }

    /**
     * Admission as an operator would set it for a pod of this capacity: the pod rate at the measured capacity, app
     * rates out of the way, and the shipped concurrency defaults (the bench used to pin gradient2 here, which is no
     * longer what ships).
     */
    static Map<String, Object> admissionFor(double capacity) {
        long rate = Math.max(100, Math.round(capacity));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("enabled", true);
        a.put("global-rate", rate);
        a.put("global-burst", Math.max(100, rate / 5));
        a.put("default-app-rate", 10_000_000);
        a.put("default-app-burst", 10_000_000);
        return a;
    }

    RequestSender sender(int port) {
        return RequestSender.create(transport, "127.0.0.1", port, maxInFlight, Duration.ofSeconds(10));
    }

    /** What a measured step yields. */
    record StepResult(String label, double offered, PerSecondRecord.Window window,
                      Map<String, ResourceSampler.Usage> usage, PerSecondRecord.Percentiles liveness, long livenessFailures, PerSecondRecord timeline) {
        double goodput() {
            return window.goodput();
        }

        double p99() {
            return window.ok().p99();
        }
    }

    /**
     * Offers {@code rate} req/s open loop for {@code warm + measure} seconds and reports the last {@code measure}
     * seconds; samples the gateway (and Redis) meanwhile, and probes liveness when asked.
     */
    StepResult step(String group, String label, Gateway gw, RedisNode redis, double rate, int warm, int measure,
                    boolean probeLiveness) throws InterruptedException {
        return step(group, label, gw, redis, s -> rate, rate, warm, measure, probeLiveness, null,
                    OpenLoopGenerator.ClientModel.FLOOD);
    }

    /** An overload step: liveness probed, clients as {@code model} says. */
    StepResult step(String group, String label, Gateway gw, RedisNode redis, double rate, int warm, int measure,
                    OpenLoopGenerator.ClientModel model) throws InterruptedException {
        return step(group, label, gw, redis, s -> rate, rate, warm, measure, true, null, model);
    }

    StepResult step(String group, String label, Gateway gw, RedisNode redis, IntToDoubleFunction rate,
                    double nominalRate, int warm, int measure, boolean probeLiveness,
                    OpenLoopGenerator.AnswerListener listener) throws InterruptedException {
        return step(group, label, gw, redis, rate, nominalRate, warm, measure, probeLiveness, listener,
                    OpenLoopGenerator.ClientModel.FLOOD);
    }

    StepResult step(String group, String label, Gateway gw, RedisNode redis, IntToDoubleFunction rate,
                    double nominalRate, int warm, int measure, boolean probeLiveness,
                    OpenLoopGenerator.AnswerListener listener, OpenLoopGenerator.ClientModel model)
            throws InterruptedException {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("gateway", gw.pid());
        pids.put("generator", ProcessHandle.current().pid());
        if (redis != null) {
            pids.put("redis", redis.pid());
        }
        pids.put("machine", ResourceSampler.MACHINE);
        double offset = Math.round(now() * 10) / 10.0; // chart axes read better in tenths of a second
        PerSecondRecord timeline;
        Map<String, ResourceSampler.Usage> usage;
        PerSecondRecord.Percentiles live = null;
        long liveFailures = 0;
        try (RequestSender t = sender(gw.port());
             ResourceSampler sampler = new ResourceSampler(pids);
             LivenessPoller probe = probeLiveness ? new LivenessPoller(URI.create("http://127.0.0.1:" + gw.adminPort()),
                                                                 Duration.ofMillis(50), Duration.ofSeconds(10))
                                                : null) {
            OpenLoopGenerator generator = new OpenLoopGenerator(t, requests, maxInFlight, 20, listener, model);
            timeline = generator.run(warm + measure, rate, 5);
            sampler.close();
            usage = sampler.usage();
            if (probe != null) {
                live = PerSecondRecord.Percentiles.of(probe.latencyMicros());
                liveFailures = probe.failures().size();
            }
        }
        StepResult result = record(group, label, offset, timeline, nominalRate, warm, measure, usage, live,
                                   liveFailures);
        Thread.sleep(1000); // let queues empty before the next step
        return result;
    }

    /** Files a generator run into the report: its measured window as a phase, its seconds into a timeline. */
    StepResult record(String group, String label, double offset, PerSecondRecord timeline, double nominalRate, int warm,
                      int measure, Map<String, ResourceSampler.Usage> usage, PerSecondRecord.Percentiles live,
                      long liveFailures) {
        PerSecondRecord.Window window = timeline.window(warm, warm + measure);
        timelines.computeIfAbsent(group, g -> new ArrayList<>()).addAll(
                trim(timeline.rows(offset, label), warm + measure));
        StepResult result = new StepResult(label, nominalRate, window, usage, live, liveFailures, timeline);
        Map<String, Object> phase = Report.phase(group, result);
        if (!timeline.errors().isEmpty()) {
            phase.put("errors", timeline.errors());
            log(label + ": errors " + timeline.errors());
        }
        phases.add(phase);
        ResourceSampler.Usage none = new ResourceSampler.Usage(0, Double.NaN);
        log(String.format("%-28s offered %8.0f/s  2xx %8.0f/s  429 %7.0f/s  503 %7.0f/s  err %6.0f/s  dropped %6.0f/s"
                                  + "  p50 %7.1f ms  p99 %8.1f ms  gw cpu %3.0f%%  gen cpu %3.0f%%  machine %3.0f%%",
                          label, window.rate(PerSecondRecord.Kind.OFFERED), window.goodput(),
                          window.rate(PerSecondRecord.Kind.R429), window.rate(PerSecondRecord.Kind.R503),
                          window.rate(PerSecondRecord.Kind.ERROR) + window.rate(PerSecondRecord.Kind.OTHER),
                          window.rate(PerSecondRecord.Kind.DROPPED), window.ok().p50(), window.ok().p99(),
                          usage.getOrDefault("gateway", none).cpuPercent(),
                          usage.getOrDefault("generator", none).cpuPercent(),
                          usage.getOrDefault("machine", none).cpuPercent()));
        return result;
    }

    /** Drops the trailing drain seconds in which nothing happened. */
    private static List<PerSecondRecord.Row> trim(List<PerSecondRecord.Row> rows, int runSeconds) {
        int last = rows.size();
        while (last > runSeconds && rows.get(last - 1).counts().length > 0
               && java.util.Arrays.stream(rows.get(last - 1).counts()).sum() == 0) {
            last--;
        }
        return rows.subList(0, last);
    }

    void figure(String name, double value, String unit, String goal, boolean met, String note) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("value", value);
        f.put("unit", unit);
        f.put("goal", goal);
        f.put("met", met);
        if (note != null) {
            f.put("note", note);
        }
        figures.put(name, f);
        log(String.format("FIGURE %s = %.3f %s (goal %s) %s", name, value, unit, goal, met ? "met" : "MISSED"));
    }

    @Override
    public void close() {
        children.close();
        for (RedisNode redis : redisNodes) {
            try {
                Files.copy(redis.logFile(), raw.resolve("redis-" + redis.port() + ".log"));
            } catch (IOException e) {
                log("no redis log copied: " + e);
            }
            redis.close();
        }
    }
}
