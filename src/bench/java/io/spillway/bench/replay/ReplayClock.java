package io.spillway.bench.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * Time zero of a replay (set when the load starts) and the log of what happened, in seconds since then. Events
 * before the load (fleet start-up) get negative times.
 */
final class ReplayClock {
    /** Something that happened: a step, a process start/ready/exit, a Redis role change. */
    record Event(double t, String kind, String subject, String detail) {
    }

    private record Stamped(long nanos, String kind, String subject, String detail) {
    }

    private final long created = System.nanoTime();
    private volatile long zero = created;
    private final List<Stamped> events = new ArrayList<>();

    /** Makes {@code nanos} time zero: the second the load starts. */
    void zeroAt(long nanos) {
        zero = nanos;
    }

    long zeroNanos() {
        return zero;
    }

    double now() {
        return at(System.nanoTime());
    }

    double at(long nanos) {
        return (nanos - zero) / 1e9;
    }

    /** Nanos of second {@code t} on this clock. */
    long nanosAt(double t) {
        return zero + (long) (t * 1e9);
    }

    void event(String kind, String subject, String detail) {
        synchronized (events) {
            events.add(new Stamped(System.nanoTime(), kind, subject, detail));
        }
        log(String.format("%-9s %-9s %s", kind, subject, detail));
    }

    void log(String message) {
        System.out.printf("[%7.2fs] %s%n", (System.nanoTime() - created) / 1e9, message);
    }

    List<Event> events() {
        synchronized (events) {
            return events.stream().map(e -> new Event(at(e.nanos()), e.kind(), e.subject(), e.detail())).toList();
        }
    }

    List<Event> events(String kind) {
        return events().stream().filter(e -> e.kind().equals(kind)).toList();
    }
}
