package io.spillway.bench.replay;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A jHiccup-style stall meter for the replay's own process: a thread that sleeps 5 ms at a time and records, per
 * second, how much longer than that it took to wake up. A second whose worst hiccup is long means the load
 * generator (and most likely the whole machine) stalled in it: what the clients saw then says nothing about the
 * gateways, so the outage judgement leaves such seconds out and says so.
 */
final class Hiccups implements AutoCloseable {
    private static final long TICK_NANOS = 5_000_000L;

    private final AtomicLongArray worstMicros;
    private final Thread thread;
    private volatile boolean stopped;

    Hiccups(ReplayClock clock, int seconds) {
        worstMicros = new AtomicLongArray(seconds);
        thread = Thread.ofPlatform().daemon().name("replay-hiccups").start(() -> {
            while (!stopped) {
                long before = System.nanoTime();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
                long after = System.nanoTime();
                long over = (after - before - TICK_NANOS) / 1000;
                // a stall spans every second between falling asleep and waking up
                for (int s = (int) Math.floor(clock.at(before)); s <= (int) Math.floor(clock.at(after)); s++) {
                    if (s >= 0 && s < seconds) {
                        worstMicros.accumulateAndGet(s, over, Math::max);
                    }
                }
            }
        });
    }

    /** Worst stall per second of the clock, in milliseconds. */
    double[] worstMillis() {
        double[] out = new double[worstMicros.length()];
        for (int s = 0; s < out.length; s++) {
            out[s] = worstMicros.get(s) / 1000.0;
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(1000);
    }
}
