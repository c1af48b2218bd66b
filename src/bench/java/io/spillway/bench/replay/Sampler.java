package io.spillway.bench.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Every {@code periodMillis}: each gateway's readiness, lifecycle state and slow-start factor (admin port), HAProxy's
 * view of each server (stats socket), and the master Sentinel names.
 */
final class Sampler implements AutoCloseable {
    /** One sampling round. {@code masterPort} -1: no sentinel answered. */
    record Snapshot(double t, Map<String, FleetMember.Sample> members, Map<String, Haproxy.ServerView> lb,
                    int masterPort) {
    }

    private final List<Snapshot> snapshots = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    Sampler(ReplayClock clock, Supplier<List<FleetMember>> members, Haproxy haproxy, IntSupplier master,
            long periodMillis) {
        thread = Thread.ofPlatform().daemon().name("replay-sampler").start(() -> {
            long next = System.nanoTime();
            while (!stopped) {
                double t = clock.now();
                Map<String, FleetMember.Sample> m = new LinkedHashMap<>();
                for (FleetMember member : members.get()) {
                    m.put(member.name(), member.sample());
                }
                Map<String, Haproxy.ServerView> lb = new LinkedHashMap<>();
                try {
                    haproxy.servers().forEach(v -> lb.put(v.name(), v));
                } catch (RuntimeException e) {
                    // haproxy gone: an empty view says so
                }
                int masterPort;
                try {
                    masterPort = master.getAsInt();
                } catch (RuntimeException e) {
                    masterPort = -1;
                }
                synchronized (snapshots) {
                    snapshots.add(new Snapshot(t, m, lb, masterPort));
                }
                next += periodMillis * 1_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    } catch (InterruptedException e) {
                        return;
                    }
                } else {
                    next = System.nanoTime(); // a slow round (loaded machine): do not try to catch up
                }
            }
        });
    }

    List<Snapshot> snapshots() {
        synchronized (snapshots) {
            return List.copyOf(snapshots);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(5000);
    }
}
