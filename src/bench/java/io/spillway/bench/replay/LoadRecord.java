package io.spillway.bench.replay;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;

import org.HdrHistogram.Histogram;

/**
 * Per-second record of the replay's client side, filed by the second an answer arrived. Latency of a 2xx runs from
 * its attempt's intended send time (open loop: no coordinated omission); it is filed by answer time too, so that a
 * second in which the load generator itself stalled holds exactly the answers the stall delayed.
 * Per-server counts come from the {@code X-Spillway-Server} header HAProxy adds to every gateway answer.
 */
final class LoadRecord {
    /** What a second is counted in. Statuses are per attempt; OFFERED/ACKED/GAVE_UP/DROPPED per publish. */
    enum Kind {
        /** new publishes due (the base load, retries excluded) */
        OFFERED,
        /** attempts sent, first tries and retries */
        SENT,
        RETRIES,
        OK,
        R429,
        /** 503 from a gateway (shed: slow start, overload, warming, Redis down) */
        R503,
        /** 503 HAProxy made itself: no server up, or the server refused the connection */
        LB503,
        /** 502/504 HAProxy made itself: the server died or hung mid-request */
        LB5XX,
        OTHER,
        /** the client could not talk to HAProxy at all, or timed out */
        CONN_ERROR,
        /** a publish whose retries ran out */
        GAVE_UP,
        /** a publish not even tried: the client's in-flight bound was reached */
        DROPPED,
        /** a new publish whose first attempt left more than {@link #LATE_MILLIS} after its due time (by due second) */
        LATE
    }

    /** A first attempt this much behind its due time means the load generator could not keep up. */
    static final long LATE_MILLIS = 200;

    /** Per-server columns. */
    enum ServerKind { OK, R429, R503, OTHER }

    private static final long MAX_MICROS = 120_000_000L;

    private final int seconds;
    private final AtomicLongArray[] counts = new AtomicLongArray[Kind.values().length];
    private final Histogram[] okLatency;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final Histogram publishLatency = new Histogram(MAX_MICROS, 2);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    private final class Server {
        final AtomicLongArray[] counts = new AtomicLongArray[ServerKind.values().length];
        final Histogram[] okLatency = new Histogram[seconds];

        Server() {
            for (int k = 0; k < counts.length; k++) {
                counts[k] = new AtomicLongArray(seconds);
            }
        }
    }

    LoadRecord(int seconds) {
        this.seconds = seconds;
        for (int k = 0; k < counts.length; k++) {
            counts[k] = new AtomicLongArray(seconds);
        }
        okLatency = new Histogram[seconds];
    }

    int seconds() {
        return seconds;
    }

    int clamp(int second) {
        return Math.max(0, Math.min(seconds - 1, second));
    }

    void add(Kind kind, int second) {
        counts[kind.ordinal()].incrementAndGet(clamp(second));
    }

    void addServer(String server, ServerKind kind, int second) {
        servers.computeIfAbsent(server, s -> new Server()).counts[kind.ordinal()].incrementAndGet(clamp(second));
    }

    synchronized void okLatency(String server, int second, long micros) {
        long v = Math.min(Math.max(micros, 1), MAX_MICROS);
        int s = clamp(second);
        cell(okLatency, s).recordValue(v);
        if (server != null) {
            cell(servers.computeIfAbsent(server, x -> new Server()).okLatency, s).recordValue(v);
        }
    }

    /** First due time of a publish to its acknowledgement, retries included. */
    synchronized void publishLatency(long micros) {
        publishLatency.recordValue(Math.min(Math.max(micros, 1), MAX_MICROS));
    }

    void error(String what) {
        if (errors.size() < 30 || errors.containsKey(what)) {
            errors.computeIfAbsent(what, k -> new LongAdder()).increment();
        }
    }

    private static Histogram cell(Histogram[] cells, int s) {
        if (cells[s] == null) {
            cells[s] = new Histogram(MAX_MICROS, 2);
        }
        return cells[s];
    }

    long count(Kind kind, int second) {
        return counts[kind.ordinal()].get(clamp(second));
    }

    long total(Kind kind) {
        long sum = 0;
        for (int s = 0; s < seconds; s++) {
            sum += counts[kind.ordinal()].get(s);
        }
        return sum;
    }

    long serverCount(String server, ServerKind kind, int second) {
        Server s = servers.get(server);
        return s == null ? 0 : s.counts[kind.ordinal()].get(clamp(second));
    }

    List<String> serverNames() {
        return servers.keySet().stream().sorted().toList();
    }

    /** Latency of 2xx answered in {@code [from, to)}, all servers or one ({@code server} null = all). */
    synchronized Latency okLatency(String server, int from, int to) {
        return okLatency(server, from, to, s -> true);
    }

    /** As {@link #okLatency(String, int, int)}, over the seconds {@code include} accepts. */
    synchronized Latency okLatency(String server, int from, int to, IntPredicate include) {
        Histogram sum = new Histogram(MAX_MICROS, 2);
        add(sum, server == null ? okLatency : cellsOf(server), from, to, include);
        return Latency.of(sum);
    }

    /** Latency of the 2xx several servers answered in {@code [from, to)}, over the seconds {@code include} accepts. */
    synchronized Latency okLatency(Collection<String> servers, int from, int to, IntPredicate include) {
        Histogram sum = new Histogram(MAX_MICROS, 2);
        servers.forEach(server -> add(sum, cellsOf(server), from, to, include));
        return Latency.of(sum);
    }

    private Histogram[] cellsOf(String server) {
        return servers.containsKey(server) ? servers.get(server).okLatency : new Histogram[seconds];
    }

    private void add(Histogram sum, Histogram[] cells, int from, int to, IntPredicate include) {
        for (int s = Math.max(0, from); s < Math.min(to, seconds); s++) {
            if (cells[s] != null && include.test(s)) {
                sum.add(cells[s]);
            }
        }
    }

    synchronized Latency publishLatency() {
        return Latency.of(publishLatency);
    }

    Map<String, Long> errors() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Latency summary in milliseconds; NaN when nothing was recorded. */
    record Latency(long count, double p50, double p90, double p99, double max) {
        static Latency of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Latency(h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
                               h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                               h.getMaxValue() / 1000.0);
        }
    }
}
