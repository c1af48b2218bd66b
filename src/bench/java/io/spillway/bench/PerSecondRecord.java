package io.spillway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Per-second record of one generator run. Status counts are filed by the second the answer arrived
 * (throughput); latencies by the second the request was due (so a stall shows where it began). Latency is
 * measured from the intended send time, in microseconds.
 */
final class PerSecondRecord {
    /** RETRIED: a refused publish sent again after its Retry-After (a client that honours it); not in OFFERED. */
    enum Kind { OFFERED, OK, R429, R503, OTHER, ERROR, DROPPED, LATE, RETRIED }

    private static final long MAX_MICROS = 120_000_000L;

    private final int seconds;
    private final AtomicLongArray[] counts = new AtomicLongArray[Kind.values().length];
    private final Histogram[] ok;
    private final Histogram[] rejected;

    PerSecondRecord(int seconds) {
        this.seconds = seconds;
        for (int k = 0; k < counts.length; k++) {
            counts[k] = new AtomicLongArray(seconds);
        }
        ok = new Histogram[seconds];
        rejected = new Histogram[seconds];
        for (int s = 0; s < seconds; s++) {
            ok[s] = new ConcurrentHistogram(MAX_MICROS, 2);
            rejected[s] = new ConcurrentHistogram(MAX_MICROS, 2);
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> errors =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Counts failures by kind (exception class and message), so the report can say what failed. */
    void noteError(Throwable e) {
        String what = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (errors.size() < 20 || errors.containsKey(what)) {
            errors.computeIfAbsent(what, k -> new java.util.concurrent.atomic.LongAdder()).increment();
        }
    }

    /** Samples of non-2xx answers: status and reason, digits blanked so that one reason is one entry. */
    void noteAnswer(int status, String body) {
        String what = "HTTP " + status + " " + body.replaceAll("[0-9]+", "N").strip();
        if (what.length() > 160) {
            what = what.substring(0, 160);
        }
        if (errors.size() < 20 || errors.containsKey(what)) {
            errors.computeIfAbsent(what, k -> new java.util.concurrent.atomic.LongAdder()).increment();
        }
    }

    java.util.Map<String, Long> errors() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    int seconds() {
        return seconds;
    }

    void add(Kind kind, int second) {
        counts[kind.ordinal()].incrementAndGet(clamp(second));
    }

    void latency(boolean admitted, int dueSecond, long micros) {
        (admitted ? ok : rejected)[clamp(dueSecond)].recordValue(Math.min(Math.max(micros, 1), MAX_MICROS));
    }

    long count(Kind kind, int second) {
        return counts[kind.ordinal()].get(second);
    }

    private int clamp(int second) {
        return Math.max(0, Math.min(seconds - 1, second));
    }

    /** Totals and latency over seconds {@code [from, to)}. */
    Window window(int from, int to) {
        long[] sums = new long[Kind.values().length];
        Histogram okAll = new Histogram(MAX_MICROS, 2);
        Histogram rejAll = new Histogram(MAX_MICROS, 2);
        for (int s = Math.max(0, from); s < Math.min(to, seconds); s++) {
            for (Kind k : Kind.values()) {
                sums[k.ordinal()] += count(k, s);
            }
            okAll.add(ok[s]);
            rejAll.add(rejected[s]);
        }
        return new Window(to - from, sums, okAll, rejAll);
    }

    /** One row per second for charts and raw CSV. */
    List<Row> rows(double offsetSeconds, String label) {
        List<Row> rows = new ArrayList<>(seconds);
        for (int s = 0; s < seconds; s++) {
            long[] c = new long[Kind.values().length];
            for (Kind k : Kind.values()) {
                c[k.ordinal()] = count(k, s);
            }
            rows.add(new Row(offsetSeconds + s, label, c, Percentiles.of(ok[s]), Percentiles.of(rejected[s])));
        }
        return rows;
    }

    record Row(double t, String label, long[] counts, Percentiles ok, Percentiles rejected) {
        long get(Kind kind) {
            return counts[kind.ordinal()];
        }
    }

    /** Latency summary in milliseconds; NaN when nothing was recorded. */
    record Percentiles(long count, double p50, double p90, double p99, double p999, double max) {
        static Percentiles of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Percentiles(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                                   ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                                   ms(h.getMaxValue()));
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    /** Aggregates of a measurement window. */
    record Window(int seconds, long[] sums, Histogram okLatency, Histogram rejectedLatency) {
        long total(Kind kind) {
            return sums[kind.ordinal()];
        }

        double rate(Kind kind) {
            return seconds == 0 ? 0 : total(kind) / (double) seconds;
        }

        double goodput() {
            return rate(Kind.OK);
        }

        double rejections() {
            return rate(Kind.R429) + rate(Kind.R503);
        }

        Percentiles ok() {
            return Percentiles.of(okLatency);
        }

        Percentiles rejected() {
            return Percentiles.of(rejectedLatency);
        }
    }
}
