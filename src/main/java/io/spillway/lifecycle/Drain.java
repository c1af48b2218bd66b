package io.spillway.lifecycle;

import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * Graceful shutdown: readiness DOWN at once; keep serving for the drain delay while endpoints propagate; then
 * refuse new publishes and let admitted ones finish within the grace period; then stop the listeners and close the
 * broker. Every step is logged with its time so the timeline can be read back.
 */
public final class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class.getName());

    private final Lifecycle lifecycle;
    private final Duration drainDelay;
    private final Duration gracePeriod;
    private final IntSupplier inflight;
    private final Runnable stop;

    /**
     * @param inflight admitted requests not finished yet
     * @param stop     stops the listeners and closes the broker
     */
    public Drain(Lifecycle lifecycle, Duration drainDelay, Duration gracePeriod, IntSupplier inflight, Runnable stop) {
        this.lifecycle = lifecycle;
        this.drainDelay = drainDelay;
        this.gracePeriod = gracePeriod;
        this.inflight = inflight;
        this.stop = stop;
    }

    /** Runs the whole drain on the calling thread; returns when the gateway is stopped. */
    public void run() {
        long start = System.nanoTime();
        lifecycle.draining();
        LOG.info(() -> "drain: readiness DOWN; serving for " + drainDelay.toMillis() + " ms more");
        sleep(drainDelay.toMillis());
        lifecycle.closing();
        long graceEnd = System.nanoTime() + gracePeriod.toNanos();
        LOG.info(() -> "drain: +" + millisSince(start) + " ms refusing new publishes; " + inflight.getAsInt()
                + " in flight");
        while (inflight.getAsInt() > 0 && System.nanoTime() < graceEnd) {
            sleep(10);
        }
        int left = inflight.getAsInt();
        LOG.info(() -> "drain: +" + millisSince(start) + " ms " + (left == 0 ? "all admitted requests finished"
                : left + " requests still in flight at the end of the grace period") + "; stopping");
        stop.run();
        LOG.info(() -> "drain: +" + millisSince(start) + " ms stopped");
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
