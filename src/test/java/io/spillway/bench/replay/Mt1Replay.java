package io.spillway.bench.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
        int slots = plan.gateways() + (plan.scaleUpAt() >= 0 ? plan.scaleUpCount() : 0);
        List<ReplayRun.Start> starts = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (Reaper reaper = new Reaper()) {
            clock.log("starting Redis: 1 master, 2 replicas, 3 sentinels (down-after 1000 ms)");
            try (RedisSentinelGroup redis = RedisSentinelGroup.start()) {
                Map<String, Object> environment = environment(redis);
                if (plan.aotCache()) {
                    trainAotCache(redis, reaper);
                }
                environment.put("gatewayCommand", String.join(" ", launch.command())
                        .replaceAll("-cp \\S+", "-cp <test classpath>"));
                List<FleetMember> all = fleet(slots, redis, reaper);
                List<FleetMember> active = new CopyOnWriteArrayList<>(all.subList(0, plan.gateways()));
                clock.log("starting " + active.size() + " gateways");
                for (FleetMember m : active) {
                    m.start();
                }
                Map<FleetMember, Long> initialReady = new LinkedHashMap<>();
                for (FleetMember m : active) {
                    initialReady.put(m, m.awaitReady(READY_TIMEOUT).orElseThrow(
                            () -> new IllegalStateException(m.name() + " did not become ready: see " + raw)));
                }
                List<Haproxy.Server> servers = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    servers.add(new Haproxy.Server(all.get(i).name(), all.get(i).port(), all.get(i).adminPort(),
                                                   i < plan.gateways()));
                }
                Haproxy.Settings lbSettings = new Haproxy.Settings(Duration.ofMillis(plan.checkInterMs()), plan.rise(),
                                                                   plan.fall(), Duration.ofSeconds(plan.slowStart()),
                                                                   plan.passiveMarkDown());
                try (Haproxy lb = Haproxy.start(haproxyBinary, raw, FreePorts.next(), servers, lbSettings, reaper)) {
                    awaitLbUp(lb, active);
                    awaitFullCapacity(lb, active);
                    AtomicBoolean tearingDown = new AtomicBoolean();
                    ProcessHandle.of(lb.pid()).ifPresent(h -> h.onExit().thenRun(() -> {
                        if (!tearingDown.get()) {
                            clock.event("UNEXPECTED-EXIT", "haproxy", "pid " + h.pid());
                        }
                    }));
                    String tag = "r" + Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
                    try (Deliveries deliveries = new Deliveries("spillway:" + APP.id() + ":*", tag)) {
                        for (RedisNode node : redis.nodes()) {
                            deliveries.watch(node.port());
                        }
                        LoadRecord load = new LoadRecord(plan.endAt() + DRAIN_SECONDS + 5);
                        RetryingClients clients = new RetryingClients(
                                "http://127.0.0.1:" + lb.port(), APP,
                                new RetryingClients.Policy(plan.maxAttempts(), Duration.ofMillis(100),
                                                           Duration.ofSeconds(3), 0.5, plan.maxInFlight(),
                                                           Duration.ofSeconds(5)),
                                load, clock, tag);
                        clock.zeroAt(System.nanoTime() + 300_000_000L);
                        initialReady.forEach((m, ready) -> starts.add(new ReplayRun.Start(
                                m.name(), "initial", clock.at(m.startedNanos()), clock.at(ready))));
                        clock.log(String.format("load: %.0f publishes/s (%.0f%% of %d x %d/s) for %d s through "
                                                + "haproxy :%d", plan.offeredRate(), plan.loadFraction() * 100,
                                                plan.gateways(), plan.gatewayRate(), plan.endAt(), lb.port()));
                        double[] promotion = {Double.NaN};
                        ScheduledExecutorService steps = Executors.newScheduledThreadPool(3);
                        List<Thread> waiters = new CopyOnWriteArrayList<>();
                        double teardownAt;
                        try (Sampler sampler = new Sampler(clock, () -> active, lb, redis::currentMaster, 500);
                             Hiccups hiccups = new Hiccups(clock, load.seconds())) {
                            schedule(steps, redis, all, active, lb, starts, waiters, promotion, failures);
                            clock.event("step", "1", "steady state");
                            clients.run(plan.offeredRate(), plan.endAt());
                            clock.event("step", "end", "no new publishes; " + clients.outstanding()
                                    + " still retrying");
                            if (!clients.awaitQuiet(Duration.ofSeconds(DRAIN_SECONDS))) {
                                clock.log(clients.outstanding() + " publishes still outstanding after "
                                          + DRAIN_SECONDS + " s");
                            }
                            Thread.sleep(1000); // deliveries still on the wire
                            steps.shutdown();
                            steps.awaitTermination(60, TimeUnit.SECONDS);
                            for (Thread w : waiters) {
                                w.join(READY_TIMEOUT.toMillis());
                            }
                            teardownAt = clock.now();
                            environment.put("loadAverageAtEnd", loadAverage());
                            tearingDown.set(true);
                            clock.log("teardown");
                            ReplayRun result = new ReplayRun(
                                    plan, load, sampler.snapshots(), List.of(), List.copyOf(starts),
                                    Set.copyOf(clients.acked()), Set.copyOf(deliveries.seen()), clients.issued(),
                                    deliveries.nodes(), onClock(clients.answerTimes()),
                                    clients.okTimes().stream().map(clock::at).sorted().toList(),
                                    promotion[0], teardownAt, hiccups.worstMillis(), environment);
                            stopAll(all);
                            if (!failures.isEmpty()) {
                                IllegalStateException e = new IllegalStateException("a replay step failed");
                                failures.forEach(e::addSuppressed);
                                throw e;
                            }
                            return withEvents(result);
                        } finally {
                            steps.shutdownNow();
                        }
                    }
                }
            }
        }
    }

    private ReplayRun withEvents(ReplayRun r) {
        return new ReplayRun(r.plan(), r.load(), r.snapshots(), clock.events(), r.starts(), r.acked(), r.delivered(),
                             r.issued(), r.deliveriesByNode(), r.answerTimes(), r.okTimes(), r.promotion(),
                             r.teardownAt(), r.hiccupMillis(), r.environment());
    }

    /**
     * One training run of a gateway, as the container image does at build time (docker/aot-train.sh): start it
     * against this Redis with {@code -XX:AOTCacheOutput}, let its warm-up run, stop it; every gateway then starts
     * from the JDK 25 AOT cache, as pods of the image would.
     */
    private void trainAotCache(RedisSentinelGroup redis, Reaper reaper) throws IOException, InterruptedException {
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

    private List<FleetMember> fleet(int slots, RedisSentinelGroup redis, Reaper reaper) throws IOException {
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

    /** Schedules steps 2-5 at their seconds on the replay clock; each runs in its own thread. */
    private void schedule(ScheduledExecutorService steps, RedisSentinelGroup redis, List<FleetMember> all,
                          List<FleetMember> active, Haproxy lb, List<ReplayRun.Start> starts, List<Thread> waiters,
                          double[] promotion, List<Throwable> failures) {
        AtomicReference<RedisNode> oldMaster = new AtomicReference<>();
        at(steps, plan.killMasterAt(), failures, () -> {
            RedisNode master = redis.master();
            oldMaster.set(master);
            clock.event("step", "2", "kill -9 Redis master :" + master.port() + " (the \"resize\")");
            long killed = System.nanoTime();
            master.kill();
            int newMaster = awaitNewMaster(redis, master.port());
            promotion[0] = (System.nanoTime() - killed) / 1e9;
            clock.event("redis", "promoted", String.format("sentinel names :%d master %.2f s after the kill",
                                                            newMaster, promotion[0]));
        });
        at(steps, plan.masterBackAt(), failures, () -> {
            RedisNode old = oldMaster.get();
            clock.event("step", "3", "old master :" + old.port() + " restarts and rejoins as a replica");
            redis.rejoin(old, Duration.ofSeconds(60));
            clock.event("redis", "rejoined", ":" + old.port() + " replicates :" + redis.currentMaster());
        });
        at(steps, plan.restartAt(), failures, () -> {
            List<FleetMember> targets = active.subList(0, plan.restartCount());
            clock.event("step", "4", "kill -9 " + targets.stream().map(FleetMember::name).toList()
                    + " (\"pods restart\"), start again after " + plan.restartDelay() + " s");
            for (FleetMember m : List.copyOf(targets)) {
                m.kill();
            }
            Thread.sleep((long) (plan.restartDelay() * 1000));
            for (FleetMember m : List.copyOf(targets)) {
                m.start();
                waiters.add(awaitReadyInBackground(m, "restart", starts));
            }
        });
        at(steps, plan.scaleUpAt(), failures, () -> {
            List<FleetMember> added = all.subList(plan.gateways(), plan.gateways() + plan.scaleUpCount());
            clock.event("step", "5", "scale-up: start " + added.stream().map(FleetMember::name).toList()
                    + " and add them to haproxy");
            for (FleetMember m : added) {
                m.start();
                active.add(m);
                lb.enable(m.name()); // traffic only once its readiness check passes `rise` times
                waiters.add(awaitReadyInBackground(m, "scale-up", starts));
            }
        });
    }

    private Thread awaitReadyInBackground(FleetMember m, String cause, List<ReplayRun.Start> starts) {
        return Thread.ofPlatform().name("await-ready-" + m.name()).start(() -> {
            try {
                Optional<Long> ready = m.awaitReady(READY_TIMEOUT);
                starts.add(new ReplayRun.Start(m.name(), cause, clock.at(m.startedNanos()),
                                               ready.map(clock::at).orElse(Double.NaN)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private void at(ScheduledExecutorService steps, double second, List<Throwable> failures, Step step) {
        if (second < 0) {
            return;
        }
        long delay = clock.nanosAt(second) - System.nanoTime();
        steps.schedule(() -> {
            try {
                step.run();
            } catch (Exception | Error e) {
                clock.event("FAILED", "step", e.toString());
                failures.add(e);
            }
        }, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    /** Polls every serving sentinel until one names a master other than {@code oldPort}; returns its port. */
    private static int awaitNewMaster(RedisSentinelGroup redis, int oldPort) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            for (RedisNode sentinel : redis.sentinels()) {
                try {
                    List<?> addr = (List<?>) sentinel.command(Duration.ofMillis(500), "SENTINEL",
                                                              "get-master-addr-by-name", redis.masterName());
                    int port = Integer.parseInt(String.valueOf(addr.get(1)));
                    if (port != oldPort) {
                        return port;
                    }
                } catch (RuntimeException notNow) {
                    // a sentinel busy with the failover: ask the next
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no sentinel named a new master within 60 s");
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
