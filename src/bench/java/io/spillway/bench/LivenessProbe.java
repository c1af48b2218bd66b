package io.spillway.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Asks the admin listener {@code /observe/health/live} every {@code periodMillis}, like a kubelet would, and
 * records latency from the due time (a probe that cannot be sent on time counts as slow) and non-200 answers.
 */
final class LivenessProbe implements AutoCloseable {
    private final Transport admin;
    private final long periodNanos;
    private final Histogram latency = new Histogram(60_000_000L, 2);
    private final Thread thread;
    private volatile boolean stop;
    private long failures;

    LivenessProbe(int adminPort, long periodMillis) {
        this.admin = Transport.create("helidon", "http://127.0.0.1:" + adminPort, 4, Duration.ofSeconds(10));
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.thread = Thread.ofPlatform().daemon().name("liveness-probe").start(this::loop);
    }

    private void loop() {
        long due = System.nanoTime();
        while (!stop) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            boolean ok;
            try {
                ok = admin.get("/observe/health/live") == 200;
            } catch (Exception e) {
                ok = false;
            }
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due);
            synchronized (this) {
                latency.recordValue(Math.min(Math.max(1, micros), latency.getHighestTrackableValue()));
                if (!ok) {
                    failures++;
                }
            }
            due += periodNanos;
            // after a long stall, probe at once but do not fire a burst of catch-up probes
            due = Math.max(due, System.nanoTime() - periodNanos);
        }
    }

    synchronized Timeline.Percentiles percentiles() {
        return Timeline.Percentiles.of(latency);
    }

    synchronized long failures() {
        return failures;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(15_000);
        admin.close();
    }
}
