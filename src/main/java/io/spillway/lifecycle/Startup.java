package io.spillway.lifecycle;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.spillway.broker.Broker;

/**
 * Drives a new pod to READY in the background: wait for the broker, warm up, become ready; on a failed warm-up go
 * back to waiting. The process never exits because Redis is away.
 */
public final class Startup implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Startup.class.getName());
    private static final long POLL_MILLIS = 20;
    private static final long RETRY_MILLIS = 500;

    private final Broker broker;
    private final Lifecycle lifecycle;
    private final WarmUp warmUp;
    private final LifecycleMetrics metrics;
    private volatile Thread thread;

    public Startup(Broker broker, Lifecycle lifecycle, WarmUp warmUp, LifecycleMetrics metrics) {
        this.broker = broker;
        this.lifecycle = lifecycle;
        this.warmUp = warmUp;
        this.metrics = metrics;
    }

    public void start() {
        thread = Thread.ofVirtual().name("startup").start(this::run);
    }

    private void run() {
        long bootNanos = System.nanoTime();
        try {
            while (lifecycle.state() == LifecycleState.STARTING) {
                while (!broker.connected()) {
                    Thread.sleep(POLL_MILLIS);
                }
                lifecycle.warming();
                try {
                    WarmUp.Report report = warmUp.run();
                    metrics.warmedUp(report);
                    if (lifecycle.ready()) {
                        long total = (System.nanoTime() - bootNanos) / 1_000_000;
                        LOG.info(() -> "READY after " + total + " ms (prime " + report.prime().toMillis()
                                + " ms, hot path " + report.hotPath().toMillis() + " ms)");
                    }
                } catch (RuntimeException e) {
                    lifecycle.warmupFailed();
                    LOG.log(Level.WARNING, "warm-up failed, retrying: " + e.getMessage());
                    Thread.sleep(RETRY_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
