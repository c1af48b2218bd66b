package io.spillway.testing.chaos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Named instants of one chaos run on the {@link System#nanoTime()} clock, printed relative to the first. */
public final class Timeline {
    private final long origin = System.nanoTime();
    private final java.time.Instant originInstant = java.time.Instant.now();
    private final Map<String, Long> marks = new LinkedHashMap<>();

    /** Records {@code name} at the current instant and returns it. */
    public synchronized long mark(String name) {
        long now = System.nanoTime();
        marks.put(name, now);
        return now;
    }

    public synchronized long at(String name) {
        Long at = marks.get(name);
        if (at == null) {
            throw new IllegalStateException("no mark " + name + " in " + marks.keySet());
        }
        return at;
    }

    public synchronized Optional<Long> find(String name) {
        return Optional.ofNullable(marks.get(name));
    }

    /** Milliseconds from {@code from} to {@code nanos}. */
    public static long millisBetween(long from, long nanos) {
        return Math.round((nanos - from) / 1e6);
    }

    /** Milliseconds since the run started. */
    public long offset(long nanos) {
        return millisBetween(origin, nanos);
    }

    /** Milliseconds from the start of the run to a wall-clock instant (as fixtures record them). */
    public long offsetOf(java.time.Instant instant) {
        return java.time.Duration.between(originInstant, instant).toMillis();
    }

    @Override
    public synchronized String toString() {
        StringBuilder out = new StringBuilder();
        marks.forEach((name, at) -> out.append(String.format("  t=%6d ms  %s%n", offset(at), name)));
        return out.toString();
    }
}
