package io.spillway.bench.replay;

import io.spillway.bench.Children;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.spillway.Main;
import io.spillway.testing.redis.FreePorts;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSentinelGroup;

/**
 * Pusher's MT1 outage (4 Aug 2022) re-enacted, compressed: a Spillway fleet behind HAProxy publishing into a Sentinel
 * group under steady load from retrying clients; then the Redis master is killed, the old master comes back as a
 * replica, gateways are killed and restarted while the load and the retry backlog keep arriving, and the fleet is
 * scaled up under load. Returns what happened; {@link ReplayOutcome} judges it, {@link ReplayReport} writes it down.
 */
final class Mt1Replay {
    static final RetryingClients.App APP = new RetryingClients.App("1001", "replay-key", "replay-secret");

    /** How a gateway process is started: the built jar, or the test classpath (no jar during {@code mvn test}). */
    record Launch(List<String> command) {
        static Launch jar(Path jar, List<String> jvmFlags) {
            List<String> c = new ArrayList<>(List.of(java()));
            c.addAll(jvmFlags);
            c.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            return new Launch(c);
        }

        static Launch classpath(String classpath, List<String> jvmFlags) {
            List<String> c = new ArrayList<>(List.of(java()));
            c.addAll(jvmFlags);
            c.addAll(List.of("-cp", classpath, Main.class.getName()));
            return new Launch(c);
        }

        /** This command with {@code options} right after {@code java}. */
        Launch with(List<String> options) {
            List<String> c = new ArrayList<>(command.subList(0, 1));
            c.addAll(options);
            c.addAll(command.subList(1, command.size()));
            return new Launch(c);
        }

        private static String java() {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final int DRAIN_SECONDS = 60;

    private final ReplayPlan plan;
    private final Path raw;
    private final Path haproxyBinary;
    private Launch launch;
    private final ReplayClock clock = new ReplayClock();

    Mt1Replay(ReplayPlan plan, Path raw, Launch launch, Path haproxyBinary) {
        this.plan = plan;
        this.raw = raw;
        this.launch = launch;
        this.haproxyBinary = haproxyBinary;
    }

    ReplayClock clock() {
        return clock;
    }

    ReplayRun run() throws Exception {
        Files.createDirectories(raw);
        try (Children reaper = new Children()) {
            clock.log("starting Redis: 1 master, 2 replicas, 3 sentinels (down-after 1000 ms)");
            try (RedisSentinelGroup redis = RedisSentinelGroup.start()) {
                Map<String, Object> environment = environment(redis);
                if (plan.aotCache()) {
                    trainAotCache(redis, reaper);
                }
                environment.put("gatewayCommand", String.join(" ", launch.command())
                        .replaceAll("-cp \\S+", "-cp <test classpath>"));
                List<FleetMember> all = fleet(redis, reaper);
                List<FleetMember> active = new CopyOnWriteArrayList<>(all.subList(0, plan.gateways()));
                Map<FleetMember, Long> initialReady = startInitialFleet(active);
                try (Haproxy lb = Haproxy.start(haproxyBinary, raw, FreePorts.next(), lbServers(all), lbSettings(),
                                                reaper)) {
                    awaitLbUp(lb, active);
                    awaitFullCapacity(lb, active);
                    return underLoad(redis, all, active, lb, initialReady, environment);
                }
            }
        }
    }

    /** Steps 1-6 with the load running, then the drain of the retries; the fleet is stopped before returning. */
    private ReplayRun underLoad(RedisSentinelGroup redis, List<FleetMember> all, List<FleetMember> active, Haproxy lb,
                                Map<FleetMember, Long> initialReady, Map<String, Object> environment)
            throws Exception {
        AtomicBoolean tearingDown = new AtomicBoolean();
        ProcessHandle.of(lb.pid()).ifPresent(h -> h.onExit().thenRun(() -> {
            if (!tearingDown.get()) {
                clock.event("UNEXPECTED-EXIT", "haproxy", "pid " + h.pid());
            }
        }));
        String tag = "r" + Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        try (Deliveries deliveries = new Deliveries("spillway:" + APP.id() + ":*", tag);
             ReplaySteps steps = new ReplaySteps(plan, clock, redis, all, active, lb, READY_TIMEOUT)) {
            for (RedisNode node : redis.nodes()) {
                deliveries.watch(node.port());
            }
            RetryingClients.Policy policy = new RetryingClients.Policy(
                    plan.maxAttempts(), Duration.ofMillis(100), Duration.ofSeconds(3), 0.5, plan.maxInFlight(),
                    Duration.ofSeconds(5));
            warmUpClients(lb, policy, tag);
            LoadRecord load = new LoadRecord(plan.endAt() + DRAIN_SECONDS + 5);
            RetryingClients clients = new RetryingClients("http://127.0.0.1:" + lb.port(), APP, policy, load, clock,
                                                          tag);
            clock.zeroAt(System.nanoTime() + 300_000_000L);
            List<ReplayRun.Start> starts = new ArrayList<>();
            initialReady.forEach((m, ready) -> starts.add(new ReplayRun.Start(
                    m.name(), "initial", clock.at(m.startedNanos()), clock.at(ready))));
            clock.log(String.format("load: %.0f publishes/s (%.0f%% of %d x %d/s) for %d s through haproxy :%d",
                                    plan.offeredRate(), plan.loadFraction() * 100, plan.gateways(),
                                    plan.gatewayRate(), plan.endAt(), lb.port()));
            try (Sampler sampler = new Sampler(clock, () -> active, lb, redis::currentMaster, 500);
                 Hiccups hiccups = new Hiccups(clock, load.seconds())) {
                steps.schedule();
                clock.event("step", "1", "steady state");
                clients.run(plan.offeredRate(), plan.endAt());
                clock.event("step", "end", "no new publishes; " + clients.outstanding() + " still retrying");
                if (!clients.awaitQuiet(Duration.ofSeconds(DRAIN_SECONDS))) {
                    clock.log(clients.outstanding() + " publishes still outstanding after " + DRAIN_SECONDS + " s");
                }
                Thread.sleep(1000); // deliveries still on the wire
                steps.awaitDone();
                starts.addAll(steps.starts());
                double teardownAt = clock.now();
                environment.put("loadAverageAtEnd", loadAverage());
                tearingDown.set(true);
                clock.log("teardown");
                List<Sampler.Snapshot> snapshots = sampler.snapshots();
                stopAll(all);
                steps.check();
                // the events include the fleet's exits at teardown, for the record
                return new ReplayRun(plan, load, snapshots, clock.events(), List.copyOf(starts),
                                     Set.copyOf(clients.acked()), Set.copyOf(deliveries.seen()), clients.issued(),
                                     deliveries.nodes(), onClock(clients.answerTimes()),
                                     clients.okTimes().stream().map(clock::at).sorted().toList(), steps.promotion(),
                                     teardownAt, hiccups.worstMillis(), environment);
            }
        }
    }

    /**
     * Two seconds of half the load before time zero, not recorded (another tag, so not matched as deliveries either):
     * the generator's own code is compiled and its connections are open when the first measured second starts.
     */
    private void warmUpClients(Haproxy lb, RetryingClients.Policy policy, String tag) throws InterruptedException {
        ReplayClock warmup = new ReplayClock();
        warmup.zeroAt(System.nanoTime());
        RetryingClients clients = new RetryingClients("http://127.0.0.1:" + lb.port(), APP, policy, new LoadRecord(40),
                                                      warmup, tag + "w");
        clients.run(plan.offeredRate() / 2, 2);
        clients.awaitQuiet(Duration.ofSeconds(30));
    }

    private Map<FleetMember, Long> startInitialFleet(List<FleetMember> active) throws IOException,
                                                                                      InterruptedException {
        clock.log("starting " + active.size() + " gateways");
        for (FleetMember m : active) {
            m.start();
        }
        Map<FleetMember, Long> ready = new LinkedHashMap<>();
        for (FleetMember m : active) {
            ready.put(m, m.awaitReady(READY_TIMEOUT).orElseThrow(
                    () -> new IllegalStateException(m.name() + " did not become ready: see " + raw)));
        }
        return ready;
    }

    /** Every slot; the scale-up ones start in maintenance. */
    private List<Haproxy.Server> lbServers(List<FleetMember> all) {
        List<Haproxy.Server> servers = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            FleetMember m = all.get(i);
            servers.add(new Haproxy.Server(m.name(), m.port(), m.adminPort(), i < plan.gateways()));
        }
        return servers;
    }

    private Haproxy.Settings lbSettings() {
        return new Haproxy.Settings(Duration.ofMillis(plan.checkInterMs()), plan.rise(), plan.fall(),
                                    Duration.ofSeconds(plan.slowStart()), plan.passiveMarkDown());
    }

    /**
     * One training run of a gateway, as the container image does at build time (docker/aot-train.sh): start it
     * against this Redis with {@code -XX:AOTCacheOutput}, let its warm-up run, stop it; every gateway then starts
     * from the JDK 25 AOT cache, as pods of the image would.
     */
    private void trainAotCache(RedisSentinelGroup redis, Children reaper) throws IOException, InterruptedException {
        Path cache = raw.resolve("spillway.aot").toAbsolutePath();
        Files.deleteIfExists(cache);
        Set<Integer> ports = new HashSet<>();
        int port = freePort(ports);
        int admin = freePort(ports);
        FleetMember trainee = new FleetMember("aot-training", port, admin, raw,
                                              FleetConfig.yaml(port, admin, redis.masterName(), redis.sentinelUris(),
                                                               plan, APP),
                                              launch.with(List.of("-XX:AOTCacheOutput=" + cache)).command(), clock,
                                              reaper);
        clock.log("AOT cache training run");
        trainee.start();
        if (trainee.awaitReady(READY_TIMEOUT).isEmpty()) {
            throw new IllegalStateException("the AOT training run did not become ready: see " + raw);
        }
        trainee.stop(Duration.ofSeconds(60));
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException("the AOT training run wrote no cache: see " + raw);
        }
        // adapter caching off, as in the image: JDK 25 mislinks some cached adapters (JDK-8364929)
        launch = launch.with(List.of("-XX:AOTCache=" + cache, "-XX:+UnlockDiagnosticVMOptions",
                                     "-XX:-AOTAdapterCaching"));
        clock.log(String.format("AOT cache %s (%d MB)", cache.getFileName(), Files.size(cache) >> 20));
    }

    private List<FleetMember> fleet(RedisSentinelGroup redis, Children reaper) throws IOException {
        int slots = plan.gateways() + (plan.scaleUpAt() >= 0 ? plan.scaleUpCount() : 0);
        Set<Integer> taken = new HashSet<>();
        List<FleetMember> all = new ArrayList<>();
        for (int i = 1; i <= slots; i++) {
            int port = freePort(taken);
            int admin = freePort(taken);
            String yaml = FleetConfig.yaml(port, admin, redis.masterName(), redis.sentinelUris(), plan, APP);
            all.add(new FleetMember("gw" + i, port, admin, raw, yaml, launch.command(), clock, reaper));
        }
        return all;
    }

    private static int freePort(Set<Integer> taken) {
        while (true) {
            int p = FreePorts.next();
            if (taken.add(p)) {
                return p;
            }
        }
    }

    private void awaitLbUp(Haproxy lb, List<FleetMember> active) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Set<String> names = new HashSet<>(active.stream().map(FleetMember::name).toList());
        while (System.nanoTime() < until) {
            long up = lb.servers().stream().filter(v -> names.contains(v.name()) && v.up() && !v.status().contains("/"))
                    .count();
            if (up == names.size()) {
                clock.log("haproxy :" + lb.port() + " sees " + names + " UP");
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("haproxy did not see the fleet UP: " + lb.servers());
    }

    /** Steady state means a fleet past its slow start: every gateway at capacity factor 1 and full weight. */
    private void awaitFullCapacity(Haproxy lb, List<FleetMember> active) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.slowStart() + 60L);
        while (System.nanoTime() < until) {
            boolean full = active.stream().allMatch(m -> m.sample().capacityFactor() >= 1)
                    && lb.servers().stream().filter(v -> active.stream().anyMatch(m -> m.name().equals(v.name())))
                            .allMatch(v -> v.up() && v.weight() >= 100);
            if (full) {
                clock.log("the fleet is past its slow start");
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the fleet did not reach full capacity after its slow start");
    }

    private void stopAll(List<FleetMember> all) throws InterruptedException {
        List<Thread> stoppers = new ArrayList<>();
        for (FleetMember m : all) {
            stoppers.add(Thread.ofPlatform().start(() -> {
                try {
                    m.stop(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : stoppers) {
            t.join();
        }
    }

    private Map<String, List<Double>> onClock(Map<String, List<Long>> nanos) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        nanos.forEach((server, times) -> out.put(server, times.stream().map(clock::at).sorted().toList()));
        return out;
    }

    private Map<String, Object> environment(RedisSentinelGroup redis) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("sharing", "gateways, haproxy, redis, sentinels and the load generator share the same cores");
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("haproxy", firstLine(haproxyBinary.toString(), "-v"));
        env.put("redis", redis.nodes().getFirst().info("server").getOrDefault("redis_version", "?"));
        env.put("loadAverageAtStart", loadAverage());
        return env;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
