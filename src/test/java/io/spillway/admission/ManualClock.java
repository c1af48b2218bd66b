package io.spillway.admission;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;

/** A clock the test moves by hand. */
final class ManualClock implements TimeMeter {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    @Override
    public long currentTimeNanos() {
        return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
        return false;
    }
}
