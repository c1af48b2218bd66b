package io.spillway.bench.replay;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSentinelGroup;

/**
 * Steps 2-5 of the replay, each run at its second on the replay clock in its own thread: the Redis master killed
 * (and the time until a sentinel names another), the old master rejoining as a replica, gateways killed and
 * started again, more gateways started and added to HAProxy. Records every gateway start and when it was ready.
 */
final class ReplaySteps implements AutoCloseable {
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private final ReplayPlan plan;
    private final ReplayClock clock;
    private final RedisSentinelGroup redis;
    private final List<FleetMember> all;
    private final List<FleetMember> active;
    private final Haproxy lb;
    private final Duration readyTimeout;
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(3);
    private final List<ReplayRun.Start> starts = new CopyOnWriteArrayList<>();
    private final List<Thread> waiters = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile RedisNode oldMaster;
    private volatile double promotion = Double.NaN;

    /**
     * @param all    every gateway slot, the scale-up ones last
     * @param active the gateways HAProxy routes to; scale-up adds to it
     */
    ReplaySteps(ReplayPlan plan, ReplayClock clock, RedisSentinelGroup redis, List<FleetMember> all,
                List<FleetMember> active, Haproxy lb, Duration readyTimeout) {
        this.plan = plan;
        this.clock = clock;
        this.redis = redis;
        this.all = all;
        this.active = active;
        this.lb = lb;
        this.readyTimeout = readyTimeout;
    }

    void schedule() {
        at(plan.killMasterAt(), this::killMaster);
        at(plan.masterBackAt(), this::rejoinOldMaster);
        at(plan.restartAt(), this::restartGateways);
        at(plan.scaleUpAt(), this::scaleUp);
    }

    /** Redis master kill → a sentinel names another master, in seconds; NaN when that step did not run. */
    double promotion() {
        return promotion;
    }

    /** Gateway starts of steps 4 and 5. */
    List<ReplayRun.Start> starts() {
        return List.copyOf(starts);
    }

    /** Waits until every step ran and every started gateway was ready (or gave up waiting). */
    void awaitDone() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(60, TimeUnit.SECONDS);
        for (Thread w : waiters) {
            w.join(readyTimeout.toMillis());
        }
    }

    /** Throws if a step failed. */
    void check() {
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("a replay step failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private void killMaster() throws InterruptedException {
        RedisNode master = redis.master();
        oldMaster = master;
        clock.event("step", "2", "kill -9 Redis master :" + master.port() + " (the \"resize\")");
        long killed = System.nanoTime();
        master.kill();
        int newMaster = awaitNewMaster(master.port());
        promotion = (System.nanoTime() - killed) / 1e9;
        clock.event("redis", "promoted", String.format("sentinel names :%d master %.2f s after the kill", newMaster,
                                                        promotion));
    }

    private void rejoinOldMaster() {
        RedisNode old = oldMaster;
        clock.event("step", "3", "old master :" + old.port() + " restarts and rejoins as a replica");
        redis.rejoin(old, Duration.ofSeconds(60));
        clock.event("redis", "rejoined", ":" + old.port() + " replicates :" + redis.currentMaster());
    }

    private void restartGateways() throws Exception {
        List<FleetMember> targets = List.copyOf(active.subList(0, plan.restartCount()));
        clock.event("step", "4", "kill -9 " + targets.stream().map(FleetMember::name).toList()
                + " (\"pods restart\"), start again after " + plan.restartDelay() + " s");
        for (FleetMember m : targets) {
            m.kill();
        }
        Thread.sleep((long) (plan.restartDelay() * 1000));
        for (FleetMember m : targets) {
            m.start();
            waiters.add(awaitReadyInBackground(m, "restart"));
        }
    }

    private void scaleUp() throws Exception {
        List<FleetMember> added = all.subList(plan.gateways(), plan.gateways() + plan.scaleUpCount());
        clock.event("step", "5", "scale-up: start " + added.stream().map(FleetMember::name).toList()
                + " and add them to haproxy");
        for (FleetMember m : added) {
            m.start();
            active.add(m);
            lb.enable(m.name()); // traffic only once its readiness check passes `rise` times
            waiters.add(awaitReadyInBackground(m, "scale-up"));
        }
    }

    private Thread awaitReadyInBackground(FleetMember m, String cause) {
        return Thread.ofPlatform().name("await-ready-" + m.name()).start(() -> {
            try {
                Optional<Long> ready = m.awaitReady(readyTimeout);
                starts.add(new ReplayRun.Start(m.name(), cause, clock.at(m.startedNanos()),
                                               ready.map(clock::at).orElse(Double.NaN)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void at(double second, Step step) {
        if (second < 0) {
            return;
        }
        long delay = clock.nanosAt(second) - System.nanoTime();
        executor.schedule(() -> {
            try {
                step.run();
            } catch (Exception | Error e) {
                clock.event("FAILED", "step", e.toString());
                failures.add(e);
            }
        }, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    /** Polls every sentinel until one names a master other than {@code oldPort}; returns its port. */
    private int awaitNewMaster(int oldPort) throws InterruptedException {
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
}
