package io.spillway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** Samples RSS and CPU of named processes once a second while a step runs. */
final class ResourceSampler implements AutoCloseable {
    /** Peak RSS and average CPU (percent of one core) of one process over the sampled time. */
    record Usage(long peakRssBytes, double cpuPercent) {
    }

    /** Pseudo pid: every process of the machine together (to see what neighbours took). */
    static final long MACHINE = -1;

    private final Map<String, Long> pids;
    private final Map<String, List<ProcStats>> samples = new ConcurrentHashMap<>();
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean stop;
    private volatile long endNanos;

    ResourceSampler(Map<String, Long> pids) {
        this.pids = Map.copyOf(pids);
        pids.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        sample();
        this.thread = Thread.ofPlatform().daemon().name("resource-sampler").start(this::loop);
    }

    private void loop() {
        while (!stop) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private void sample() {
        pids.forEach((name, pid) -> {
            List<ProcStats> list = samples.get(name);
            synchronized (list) {
                list.add(pid == MACHINE ? ProcStats.machine() : ProcStats.of(pid));
            }
        });
    }

    Map<String, Usage> usage() {
        double seconds = ((endNanos == 0 ? System.nanoTime() : endNanos) - startNanos) / 1e9;
        Map<String, Usage> out = new java.util.TreeMap<>();
        samples.forEach((name, list) -> {
            synchronized (list) {
                long peak = list.stream().mapToLong(ProcStats::rssBytes).max().orElse(0);
                long cpu = list.isEmpty() ? 0 : list.getLast().cpuMillis() - list.getFirst().cpuMillis();
                out.put(name, new Usage(peak, seconds <= 0 ? 0 : cpu / 10.0 / seconds));
            }
        });
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(2000);
        sample();
        endNanos = System.nanoTime();
    }
}
