package io.spillway.bench.replay;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

import io.spillway.bench.replay.LoadRecord.Kind;
import io.spillway.bench.replay.LoadRecord.ServerKind;

/**
 * The replay's claims, each measured from a {@link ReplayRun} and compared with a bound: no unexpected exits, a
 * publish outage no longer than the Sentinel promotion plus slack, restarted and added gateways ready only after
 * warm-up and ramping in without being pushed past their capacity, every acknowledged publish delivered, goodput
 * back within the slow-start window after the last step.
 */
final class ReplayOutcome {
    /** A stall of the load generator's process longer than this makes a second unjudgeable. */
    static final double STALL_MILLIS = 250;
    /** Seconds a recovery must hold to count. */
    static final int HOLD = 5;

    /**
     * How strict the judgement is. The reference run uses the numbers; the test suite's shortened replay
     * runs on a loaded 2-core machine next to other builds and gets more slack.
     *
     * @param outageSlack     outage may last the promotion plus this many seconds
     * @param latencyFactor   p99 of a new gateway's 2xx may be this many times the steady-state p99, or the p99 of
     *                        the gateways that kept running, over the same seconds (noise of a shared machine hits
     *                        them alike; a gateway pushed past its capacity would queue and stand out)...
     * @param latencyFloorMs  ... or this many milliseconds, whichever is larger (a 3 ms p99 times 3 is noise)
     * @param max503Share     largest share of 503s a new gateway may answer after its slow-start window
     * @param goodputLevel    share of steady-state goodput that counts as "back"
     * @param recoverySlack   goodput may take the slow-start window plus this many seconds to be back
     */
    record Bounds(double outageSlack, double latencyFactor, double latencyFloorMs, double max503Share,
                  double goodputLevel, double recoverySlack) {
        static Bounds reference() {
            return new Bounds(1, 3, 0, 0.05, 0.95, 0);
        }
    }

    /** One claim: what was measured against what was promised. */
    record Check(String name, double value, String unit, String goal, boolean met, String note) {
    }

    /** How one restarted or added gateway came in. */
    record Arrival(ReplayRun.Start start, int answersBeforeReady, double hotPathWarmupSeconds,
                   double firstCapacityFactor, double fullCapacityAfter, int firstLbWeight, double fullLbWeightAfter,
                   double share503InWindow, double share503AfterWindow, LoadRecord.Latency okLatency) {
    }

    final ReplayRun run;
    final Bounds bounds;
    final List<Check> checks = new ArrayList<>();
    final Map<String, Object> facts = new LinkedHashMap<>();
    final List<Arrival> arrivals = new ArrayList<>();
    final List<Integer> outageSeconds = new ArrayList<>();
    /**
     * Seconds in which the load generator could not keep up: its process stalled (see {@link Hiccups}) or more than
     * a tenth of the new publishes left late. What the clients saw then says nothing about the gateways.
     */
    final List<Integer> stalledSeconds = new ArrayList<>();
    final double steadyGoodput;
    final double steadyOffered;
    final LoadRecord.Latency steadyLatency;

    private ReplayOutcome(ReplayRun run, Bounds bounds) {
        this.run = run;
        this.bounds = bounds;
        ReplayPlan p = run.plan();
        for (int s = 0; s < Math.min(run.hiccupMillis().length, p.endAt() + 1); s++) {
            if (run.hiccupMillis()[s] > STALL_MILLIS
                || run.load().count(Kind.LATE, s) > 0.1 * run.load().count(Kind.OFFERED, s)) {
                stalledSeconds.add(s);
            }
        }
        int steadyTo = p.killMasterAt() >= 0 ? p.killMasterAt() : p.endAt();
        // the median second: a stall of the machine and the retries that follow it do not move it
        steadyGoodput = median(Kind.OK, p.steadyFrom(), steadyTo);
        steadyOffered = median(Kind.OFFERED, p.steadyFrom(), steadyTo);
        steadyLatency = run.load().okLatency((String) null, p.steadyFrom(), steadyTo, this::latencyJudged);
    }

    /** Whether the load generator could not keep up in second {@code s} (see {@link #stalledSeconds}). */
    boolean stalled(int s) {
        return stalledSeconds.contains(s);
    }

    /** Latencies of a second are judged unless the generator stalled in it or the second before (late answers). */
    boolean latencyJudged(int s) {
        return !stalled(s) && !stalled(s - 1);
    }

    static ReplayOutcome judge(ReplayRun run, Bounds bounds) {
        ReplayOutcome o = new ReplayOutcome(run, bounds);
        o.exits();
        o.outage();
        o.arrivals();
        o.delivery();
        o.recovery();
        o.facts();
        return o;
    }

    boolean allMet() {
        return checks.stream().allMatch(Check::met);
    }

    List<Check> failed() {
        return checks.stream().filter(c -> !c.met()).toList();
    }

    // ---------------------------------------------------------------- claims

    private void exits() {
        List<ReplayClock.Event> unexpected = run.events().stream()
                .filter(e -> e.kind().equals("UNEXPECTED-EXIT") && e.t() < run.teardownAt()).toList();
        List<String> killed = run.events().stream().filter(e -> e.kind().equals("kill-9"))
                .map(e -> String.format(Locale.ROOT, "%s at %.1f s", e.subject(), e.t())).toList();
        checks.add(new Check("processes that exited without the replay killing them", unexpected.size(), "", "0",
                             unexpected.isEmpty(), "killed by the replay: " + killed
                             + (unexpected.isEmpty() ? "" : "; unexpected: " + unexpected)));
    }

    private void outage() {
        ReplayPlan p = run.plan();
        for (int s = 0; s < p.endAt(); s++) {
            if (!stalled(s) && run.load().count(Kind.OK, s) < 0.5 * run.load().count(Kind.OFFERED, s)) {
                outageSeconds.add(s);
            }
        }
        if (p.killMasterAt() < 0) {
            return;
        }
        int failoverEnd = nextStepAfter(p.killMasterAt());
        long failover = outageSeconds.stream().filter(s -> s >= p.killMasterAt() && s < failoverEnd).count();
        double bound = run.promotion() + bounds.outageSlack();
        String promotion = String.format(Locale.ROOT, "Sentinel promotion %.2f s (kill -9 → a sentinel names the new "
                                                      + "master)", run.promotion());
        // the same outage without per-second bins: the longest time no 2xx at all arrived after the kill
        double[] gap = longestGap(p.killMasterAt(), failoverEnd);
        checks.add(new Check("publish outage after the Redis master kill (longest time without a single 2xx)",
                             gap[1] - gap[0], "s", String.format(Locale.ROOT, "<= promotion + %.0f s = %.2f s",
                                                                 bounds.outageSlack(), bound),
                             gap[1] - gap[0] <= bound, String.format(Locale.ROOT, "%s; from %.2f s to %.2f s (the kill "
                                     + "at %d s)", promotion, gap[0], gap[1], p.killMasterAt())));
        checks.add(new Check("publish outage after the Redis master kill (seconds with 2xx < 50% of offered)",
                             failover, "s", String.format(Locale.ROOT, "<= promotion + %.0f s = %.2f s",
                                                          bounds.outageSlack(), bound),
                             failover <= bound, promotion + "; seconds " + outageSeconds.stream()
                                     .filter(s -> s >= p.killMasterAt() && s < failoverEnd).toList() + stallNote()));
        checks.add(new Check("publish outage, whole replay (seconds with 2xx < 50% of offered)", outageSeconds.size(),
                             "s", String.format(Locale.ROOT, "<= %.2f s", bound), outageSeconds.size() <= bound,
                             "seconds " + outageSeconds + " (the Pusher MT1 outage: 54 minutes)" + stallNote()));
        double[] whole = longestGap(0, p.endAt());
        facts.put("longest time without any 2xx, whole replay", String.format(Locale.ROOT,
                "%.0f ms (from %.2f s to %.2f s)", (whole[1] - whole[0]) * 1000, whole[0], whole[1]));
    }

    /** The longest interval without a 2xx that overlaps {@code [from, to)}: [start, end] in seconds. */
    private double[] longestGap(double from, double to) {
        double[] best = {from, from};
        double previous = Double.NEGATIVE_INFINITY;
        for (double t : run.okTimes()) {
            if (t >= from && previous < to && t - Math.max(previous, from) > best[1] - best[0]) {
                best = new double[] {Math.max(previous, from), t};
            }
            previous = t;
            if (t >= to) {
                break;
            }
        }
        return best;
    }

    private int nextStepAfter(int t) {
        ReplayPlan p = run.plan();
        int next = p.endAt();
        for (int s : new int[] {p.restartAt(), p.scaleUpAt()}) {
            if (s > t && s < next) {
                next = s;
            }
        }
        return next;
    }

    private void arrivals() {
        ReplayPlan p = run.plan();
        // gateways that kept running: started once, at the beginning
        Set<String> warm = new HashSet<>();
        run.starts().forEach(s -> warm.add(s.member()));
        run.starts().stream().filter(s -> !s.cause().equals("initial")).forEach(s -> warm.remove(s.member()));
        for (ReplayRun.Start start : run.starts()) {
            if (start.cause().equals("initial")) {
                continue;
            }
            String name = start.member();
            double ready = start.readyAt();
            List<Double> answered = run.answerTimes().getOrDefault(name, List.of());
            int early = (int) answered.stream().filter(t -> t > start.startedAt() && t < ready).count();
            double firstAnswer = answered.stream().filter(t -> t > start.startedAt()).findFirst().orElse(Double.NaN);
            double hotPath = Double.NaN;
            double firstFactor = Double.NaN;
            double fullFactorAt = Double.NaN;
            int firstWeight = -1;
            double fullWeightAt = Double.NaN;
            for (Sampler.Snapshot snap : run.snapshots()) {
                if (snap.t() < ready) {
                    continue;
                }
                FleetMember.Sample sample = snap.members().get(name);
                if (sample != null && sample.ready()) {
                    if (Double.isNaN(hotPath)) {
                        hotPath = sample.warmupHotPathSeconds();
                        firstFactor = sample.capacityFactor();
                    }
                    if (Double.isNaN(fullFactorAt) && sample.capacityFactor() >= 1) {
                        fullFactorAt = snap.t() - ready;
                    }
                }
                Haproxy.ServerView view = snap.lb().get(name);
                if (view != null && view.up()) {
                    if (firstWeight < 0) {
                        firstWeight = view.weight();
                    }
                    if (Double.isNaN(fullWeightAt) && view.weight() >= 100) {
                        fullWeightAt = snap.t() - ready;
                    }
                }
            }
            int windowFrom = (int) Math.floor(ready);
            int windowEnd = (int) Math.ceil(ready + p.slowStart());
            double inWindow = share503(name, windowFrom, windowEnd);
            double after = share503(name, windowEnd, Math.min(windowEnd + 3, p.endAt()));
            LoadRecord.Latency latency = run.load().okLatency(name, windowFrom, windowEnd + 3, this::latencyJudged);
            LoadRecord.Latency peers = run.load().okLatency(warm, windowFrom, windowEnd + 3, this::latencyJudged);
            double reference = Double.isNaN(peers.p99()) ? steadyLatency.p99()
                    : Math.max(steadyLatency.p99(), peers.p99());
            double p99Bound = Math.max(bounds.latencyFactor() * reference, bounds.latencyFloorMs());
            Arrival a = new Arrival(start, early, hotPath, firstFactor, fullFactorAt, firstWeight, fullWeightAt,
                                    inWindow, after, latency);
            arrivals.add(a);
            String who = name + " (" + start.cause() + ")";
            boolean warmed = !Double.isNaN(ready) && early == 0 && hotPath > 0; // false when never measured (NaN)
            checks.add(new Check(who + ": answers before it was ready", early, "", "0 (and ready only after warm-up)",
                                 warmed, String.format(Locale.ROOT, "start → ready %.0f ms, of which hot-path warm-up "
                                                       + "%.2f s (spillway_warmup_seconds); its first answer to a "
                                                       + "client %.0f ms after ready (haproxy's checks)",
                                                       start.startToReadyMillis(), hotPath,
                                                       (firstAnswer - ready) * 1000)));
            checks.add(new Check(who + ": share of 503 in the 3 s after its slow-start window", after * 100, "%",
                                 String.format(Locale.ROOT, "<= %.0f %%", bounds.max503Share() * 100),
                                 after <= bounds.max503Share(), // NaN (no traffic to judge) is not met
                                 String.format(Locale.ROOT, "during the window %.1f %%; capacity factor %.2f at "
                                               + "ready, 1.0 after %.1f s; haproxy weight %d at first UP, 100 after "
                                               + "%.1f s", inWindow * 100, firstFactor, fullFactorAt, firstWeight,
                                               fullWeightAt)));
            checks.add(new Check(who + ": p99 of its 2xx from ready to 3 s after its window", latency.p99(), "ms",
                                 String.format(Locale.ROOT, "<= %.1f ms (%s x the larger of the steady-state p99 %.1f "
                                               + "ms and the p99 %.1f ms of %s over the same seconds%s)", p99Bound,
                                               fmt(bounds.latencyFactor()), steadyLatency.p99(), peers.p99(),
                                               warm.stream().sorted().toList(),
                                               bounds.latencyFloorMs() > 0 ? "; floor " + fmt(bounds.latencyFloorMs())
                                                       + " ms" : ""),
                                 latency.p99() <= p99Bound,
                                 String.format(Locale.ROOT, "%d 2xx, p50 %.1f ms, max %.1f ms; %.1f x the steady-state "
                                               + "p99", latency.count(), latency.p50(), latency.max(),
                                               latency.p99() / steadyLatency.p99())));
        }
    }

    private double share503(String server, int from, int to) {
        long r503 = 0;
        long all = 0;
        for (int s = from; s < to; s++) {
            for (ServerKind k : ServerKind.values()) {
                long n = run.load().serverCount(server, k, s);
                all += n;
                if (k == ServerKind.R503) {
                    r503 += n;
                }
            }
        }
        return all == 0 ? Double.NaN : r503 / (double) all;
    }

    private void delivery() {
        Set<Long> missing = new HashSet<>(run.acked());
        missing.removeAll(run.delivered());
        Set<Long> unacked = new HashSet<>(run.delivered());
        unacked.removeAll(run.acked());
        List<Long> sample = missing.stream().sorted().limit(10).toList();
        checks.add(new Check("acknowledged publishes no subscriber received", missing.size(), "", "0",
                             missing.isEmpty(), String.format(Locale.ROOT,
                                     "%d acknowledged, %d distinct ids delivered (PSUBSCRIBE on every data node), "
                                     + "%d delivered without a 2xx (timed out or given up: at-least-once)%s",
                                     run.acked().size(), run.delivered().size(), unacked.size(),
                                     missing.isEmpty() ? "" : "; missing e.g. " + sample)));
    }

    private void recovery() {
        ReplayPlan p = run.plan();
        int last = p.lastStepAt();
        double level = bounds.goodputLevel() * steadyGoodput;
        // back = the 3-second moving average of 2xx/s is at the level for HOLD consecutive seconds
        // (seconds the generator fell behind in count as at the level: they cannot be judged)
        IntPredicate atLevel = s -> stalled(s) || stalled(s + 1) || stalled(s + 2)
                || (run.load().count(Kind.OK, s) + run.load().count(Kind.OK, s + 1)
                    + run.load().count(Kind.OK, s + 2)) / 3.0 >= level;
        // the last two seconds are left out: answers to publishes sent in them arrive after the load stopped
        int recovered = firstHolding(last, p.endAt() - 3, atLevel);
        double after = recovered < 0 ? Double.NaN : recovered - last;
        double within = p.slowStart() + bounds.recoverySlack();
        double lowest = Double.NaN;
        for (int s = Math.max(recovered, last); recovered >= 0 && s < p.endAt() - 3; s++) {
            if (!stalled(s) && !stalled(s + 1) && !stalled(s + 2)) {
                double avg = (run.load().count(Kind.OK, s) + run.load().count(Kind.OK, s + 1)
                              + run.load().count(Kind.OK, s + 2)) / 3.0;
                lowest = Double.isNaN(lowest) ? avg : Math.min(lowest, avg);
            }
        }
        checks.add(new Check("goodput back at the steady-state level, seconds after the last step", after, "s",
                             "<= " + fmt(within) + " s (the slow-start window"
                             + (bounds.recoverySlack() > 0 ? " + " + fmt(bounds.recoverySlack()) + " s" : "") + ")",
                             !Double.isNaN(after) && after <= within,
                             String.format(Locale.ROOT, "last step at %d s; level = %.0f%% of steady-state %.0f 2xx/s, "
                                           + "as a 3-second moving average held for %d s; lowest 3-second average "
                                           + "from then until the load stopped: %.0f 2xx/s", last,
                                           bounds.goodputLevel() * 100, steadyGoodput, HOLD, lowest)));
    }

    /** The first second in {@code [from, to)} from which {@code ok} holds for {@link #HOLD} seconds; -1 if none. */
    private static int firstHolding(int from, int to, IntPredicate ok) {
        for (int s = from; s + HOLD <= to; s++) {
            int t = s;
            while (t < s + HOLD && ok.test(t)) {
                t++;
            }
            if (t == s + HOLD) {
                return s;
            }
        }
        return -1;
    }

    private void facts() {
        LoadRecord load = run.load();
        int last = run.plan().lastStepAt();
        int drained = firstHolding(last, run.plan().endAt(), s -> stalled(s)
                || load.count(Kind.SENT, s) <= 1.05 * load.count(Kind.OFFERED, s)
                   && load.count(Kind.R429, s) + load.count(Kind.R503, s) <= 0.01 * load.count(Kind.OFFERED, s));
        facts.put("retry backlog drained (" + HOLD + " s in a row with sent <= 105% of offered and <= 1% 429/503)",
                  drained < 0
                ? "not before the load stopped" : String.format(Locale.ROOT, "at %d s, %d s after the last step",
                                                                 drained, drained - last));
        facts.put("offered", String.format(Locale.ROOT, "%.0f new publishes/s = %.0f%% of the initial fleet's "
                                            + "capacity (%d gateways x %s %d/s)", run.plan().offeredRate(),
                                            run.plan().loadFraction() * 100, run.plan().gateways(),
                                            run.plan().shippedAdmission() ? "an assumed capacity (shipped admission)"
                                                    : "global-rate", run.plan().gatewayRate()));
        facts.put("steady state", String.format(Locale.ROOT, "%.0f 2xx/s of %.0f offered (median second); 2xx p50 "
                                                 + "%.1f ms, p99 %.1f ms", steadyGoodput, steadyOffered, steadyLatency.p50(),
                                                 steadyLatency.p99()));
        facts.put("publishes", String.format(Locale.ROOT, "%d issued, %d acknowledged, %d gave up after %d tries, %d "
                                              + "dropped by the clients' in-flight bound", run.issued(),
                                              run.acked().size(), load.total(Kind.GAVE_UP), run.plan().maxAttempts(),
                                              load.total(Kind.DROPPED)));
        facts.put("attempts", String.format(Locale.ROOT, "%d sent (%d retries): %d 2xx, %d 429, %d 503 from gateways, "
                                             + "%d 503 and %d 502/504 from haproxy, %d other, %d connection errors",
                                             load.total(Kind.SENT), load.total(Kind.RETRIES), load.total(Kind.OK),
                                             load.total(Kind.R429), load.total(Kind.R503), load.total(Kind.LB503),
                                             load.total(Kind.LB5XX), load.total(Kind.OTHER),
                                             load.total(Kind.CONN_ERROR)));
        LoadRecord.Latency e2e = load.publishLatency();
        facts.put("publish latency incl. retries (first due → 2xx)", String.format(Locale.ROOT,
                "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.0f ms", e2e.p50(), e2e.p90(), e2e.p99(), e2e.max()));
        Map<String, String> nodes = new LinkedHashMap<>();
        run.deliveriesByNode().forEach((port, n) -> nodes.put(":" + port, n.messages() + " messages, "
                + n.reconnects() + " re-subscriptions"));
        facts.put("deliveries per Redis node", nodes);
        if (!load.errors().isEmpty()) {
            facts.put("client-side errors", load.errors());
        }
        List<String> starts = run.starts().stream().map(s -> String.format(Locale.ROOT,
                "%s %s at %.1f s → ready %.0f ms later", s.member(), s.cause(), s.startedAt(),
                s.startToReadyMillis())).toList();
        facts.put("gateway starts", starts);
        double worst = 0;
        for (int t = 0; t < Math.min(run.hiccupMillis().length, run.plan().endAt()); t++) {
            worst = Math.max(worst, run.hiccupMillis()[t]);
        }
        facts.put("load generator keeping up", String.format(Locale.ROOT, "worst stall of its process %.0f ms; %d new "
                + "publishes left > %d ms late; seconds not judged (stall > %.0f ms or > 10%% late): %s", worst,
                run.load().total(Kind.LATE), LoadRecord.LATE_MILLIS, STALL_MILLIS, stalledSeconds));
    }

    // ---------------------------------------------------------------- helpers

    private String stallNote() {
        return stalledSeconds.isEmpty() ? "" : String.format(Locale.ROOT, "; not judged: seconds %s, in which the "
                + "load generator could not keep up (its process stalled > %.0f ms, or > 10%% of new publishes left "
                + "> %d ms late: machine overloaded)", stalledSeconds, STALL_MILLIS, LoadRecord.LATE_MILLIS);
    }

    private double median(Kind kind, int from, int to) {
        List<Long> values = new ArrayList<>();
        for (int s = from; s < to; s++) {
            if (!stalled(s)) {
                values.add(run.load().count(kind, s));
            }
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        values.sort(null);
        return values.get(values.size() / 2);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 || v == Math.rint(v) ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    }
}
