package io.spillway.bench.replay;

import io.spillway.bench.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.spillway.bench.replay.LoadRecord.Kind;

/**
 * Writes a replay the way {@code bin/bench} writes its runs: {@code summary.json}, {@code report.md}, PNG charts,
 * and per-second CSVs under {@code raw/} (with the gateway, haproxy and config files).
 */
final class ReplayReport {
    static final String SCENARIO = "mt1-replay";

    private ReplayReport() {
    }

    static void write(ReplayOutcome outcome, Path dir, String status) throws IOException {
        ReplayRun run = outcome.run;
        Files.createDirectories(dir.resolve("raw"));
        List<ReplayCharts.Marker> steps = markers(run);
        ReplayCharts.throughput(run, steps, outcome.stalledSeconds, dir.resolve("timeline-throughput.png"));
        ReplayCharts.latency(run, outcome.steadyLatency.p99(), steps, dir.resolve("timeline-latency.png"));
        ReplayCharts.fleet(run, steps, dir.resolve("timeline-fleet.png"));
        ReplayCharts.perServer(run, steps, outcome.stalledSeconds, dir.resolve("timeline-per-gateway.png"));
        seconds(outcome, dir.resolve("raw/seconds.csv"));
        samples(run, dir.resolve("raw/samples.csv"));
        Json.write(dir.resolve("summary.json"), summary(outcome, status));
        Files.writeString(dir.resolve("report.md"), markdown(outcome, status));
    }

    static List<ReplayCharts.Marker> markers(ReplayRun run) {
        List<ReplayCharts.Marker> m = new ArrayList<>();
        ReplayPlan p = run.plan();
        if (p.killMasterAt() >= 0) {
            m.add(new ReplayCharts.Marker(p.killMasterAt(), "2 Redis master kill -9"));
        }
        if (!Double.isNaN(run.promotion())) {
            m.add(new ReplayCharts.Marker(p.killMasterAt() + run.promotion(), "replica promoted"));
        }
        if (p.masterBackAt() >= 0) {
            m.add(new ReplayCharts.Marker(p.masterBackAt(), "3 old master back as replica"));
        }
        if (p.restartAt() >= 0) {
            m.add(new ReplayCharts.Marker(p.restartAt(), "4 kill -9 " + p.restartCount() + " gateway(s), restart"));
        }
        if (p.scaleUpAt() >= 0) {
            m.add(new ReplayCharts.Marker(p.scaleUpAt(), "5 scale-up +" + p.scaleUpCount()));
        }
        m.add(new ReplayCharts.Marker(p.endAt(), "load stops"));
        return m;
    }

    private static Map<String, Object> summary(ReplayOutcome o, String status) {
        ReplayRun run = o.run;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scenario", SCENARIO);
        s.put("status", status);
        s.put("allClaimsMet", o.allMet());
        s.put("finished", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        s.put("environment", run.environment());
        s.put("plan", run.plan().asMap());
        Map<String, Object> figures = new LinkedHashMap<>();
        for (ReplayOutcome.Check c : o.checks) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("value", c.value());
            f.put("unit", c.unit());
            f.put("goal", c.goal());
            f.put("met", c.met());
            f.put("note", c.note());
            figures.put(c.name(), f);
        }
        s.put("figures", figures);
        s.put("facts", o.facts);
        s.put("promotionSeconds", run.promotion());
        s.put("outageSeconds", o.outageSeconds);
        s.put("steadyState", Map.of("goodputPerSecond", o.steadyGoodput, "offeredPerSecond", o.steadyOffered,
                                    "okP50Ms", o.steadyLatency.p50(), "okP99Ms", o.steadyLatency.p99()));
        List<Map<String, Object>> arrivals = new ArrayList<>();
        for (ReplayOutcome.Arrival a : o.arrivals) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gateway", a.start().member());
            m.put("cause", a.start().cause());
            m.put("startedAt", a.start().startedAt());
            m.put("readyAt", a.start().readyAt());
            m.put("answersBeforeReady", a.answersBeforeReady());
            m.put("hotPathWarmupSeconds", a.hotPathWarmupSeconds());
            m.put("capacityFactorAtReady", a.firstCapacityFactor());
            m.put("fullCapacityAfterReadySeconds", a.fullCapacityAfter());
            m.put("haproxyWeightAtFirstUp", a.firstLbWeight());
            m.put("haproxyFullWeightAfterReadySeconds", a.fullLbWeightAfter());
            m.put("share503InSlowStartWindow", a.share503InWindow());
            m.put("share503After", a.share503AfterWindow());
            m.put("okP99Ms", a.okLatency().p99());
            arrivals.add(m);
        }
        s.put("arrivals", arrivals);
        s.put("starts", run.starts().stream().map(st -> Map.<String, Object>of(
                "gateway", st.member(), "cause", st.cause(), "startedAt", st.startedAt(), "readyAt", st.readyAt()))
                .toList());
        s.put("events", run.events().stream().map(e -> Map.<String, Object>of(
                "t", e.t(), "kind", e.kind(), "subject", e.subject(), "detail", e.detail())).toList());
        s.put("seconds", rows(o));
        return s;
    }

    /** One map per second of the load: what the clients saw and what the fleet and HAProxy said. */
    private static List<Map<String, Object>> rows(ReplayOutcome o) {
        ReplayRun run = o.run;
        LoadRecord load = run.load();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = 0; s < lastSecond(run); s++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("t", s);
            for (Kind k : Kind.values()) {
                r.put(k.name().toLowerCase(Locale.ROOT), load.count(k, s));
            }
            LoadRecord.Latency l = load.okLatency(null, s, s + 1);
            r.put("okP50Ms", l.p50());
            r.put("okP99Ms", l.p99());
            r.put("generatorStallMs", s < run.hiccupMillis().length ? run.hiccupMillis()[s] : Double.NaN);
            r.put("judged", !o.stalled(s));
            r.put("fleet", fleetAt(run, s));
            rows.add(r);
        }
        return rows;
    }

    /** Each gateway at second {@code s}, from the first snapshot taken in it: "READY 0.45 UP/45" etc. */
    private static Map<String, String> fleetAt(ReplayRun run, int s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Sampler.Snapshot snap : run.snapshots()) {
            if (snap.t() < s || snap.t() >= s + 1) {
                continue;
            }
            snap.members().forEach((name, m) -> {
                Haproxy.ServerView v = snap.lb().get(name);
                String lb = v == null ? "-" : v.status().replace(" ", "") + "/" + v.weight();
                String state = m.alive() ? m.state() : "DEAD";
                out.put(name, state + (m.alive() && m.ready() ? " " + ReplayOutcome.fmt(m.capacityFactor()) : "")
                        + " " + lb);
            });
            break;
        }
        return out;
    }

    private static int lastSecond(ReplayRun run) {
        for (int s = run.load().seconds() - 1; s > run.plan().endAt(); s--) {
            if (run.load().count(Kind.SENT, s) + run.load().count(Kind.GAVE_UP, s) > 0) {
                return s + 1;
            }
        }
        return run.plan().endAt() + 1;
    }

    private static String markdown(ReplayOutcome o, String status) {
        ReplayRun run = o.run;
        ReplayPlan p = run.plan();
        StringBuilder md = new StringBuilder();
        md.append("# Spillway bench: `").append(SCENARIO).append("` — Pusher's MT1 outage, replayed\n\n");
        md.append("Status: ").append(status).append(". ").append(o.allMet() ? "Every claim met." : "**Claims not met: "
                + o.failed().stream().map(ReplayOutcome.Check::name).toList() + "**").append(' ')
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n\n");
        run.environment().forEach((k, v) -> md.append("- ").append(k).append(": `").append(v).append("`\n"));
        md.append("\n## Setup\n\n");
        md.append(String.format(Locale.ROOT, """
                - Fleet: %d Spillway processes (each %s, `warmup.slow-start: %ds`, \
                `warmup.requests: %d`%s), Sentinel mode, on loopback behind HAProxy: round robin, an HTTP/1.1 check `GET \
                /observe/health/ready` of each admin port every %d ms (`rise %d`, `fall %d`), `slowstart %ds`, \
                `retry-on none`, no `redispatch`%s.
                - Redis: 1 master, 2 replicas, 3 sentinels (quorum 2, down-after 1000 ms).
                - Load: %.0f new publishes/s (%.0f%% of %d x %d/s), open loop; each client retries after \
                `Retry-After` x (1 + 0.5 x random) or with exponential backoff (100 ms .. 3 s, jittered) on \
                connection errors and haproxy's own 5xx, at most %d tries; at most %d publishes outstanding. \
                Every publish carries a unique id; subscribers `PSUBSCRIBE spillway:%s:*` on every data node.
                - Steps (seconds since the load started): 1 steady state; 2 `kill -9` the Redis master at %s; \
                3 the old master rejoins as a replica at %s; 4 `kill -9` %d gateway(s) at %s, started again %.1f s \
                later; 5 scale-up by %d at %s; 6 steady state until %d s.
                """, p.gateways(), p.shippedAdmission() ? "with the shipped admission defaults"
                        : "`admission.global-rate: " + p.gatewayRate() + "`", p.slowStart(), p.warmupRequests(),
                p.aotCache() ? "; started from a JDK 25 AOT cache recorded by one training run, as the container "
                        + "image does" : "", p.checkInterMs(), p.rise(),
                p.fall(), p.slowStart(), p.passiveMarkDown() ? "; a refused connection also marks a server down "
                        + "(`observe layer4 error-limit 1 on-error mark-down`)" : "",
                p.offeredRate(), p.loadFraction() * 100, p.gateways(), p.gatewayRate(), p.maxAttempts(),
                p.maxInFlight(), Mt1Replay.APP.id(), step(p.killMasterAt()), step(p.masterBackAt()),
                p.restartCount(), step(p.restartAt()), p.restartDelay(), p.scaleUpCount(), step(p.scaleUpAt()),
                p.endAt()));
        md.append("\n## Claims\n\n| claim | measured | goal | met | note |\n|---|---|---|---|---|\n");
        for (ReplayOutcome.Check c : o.checks) {
            md.append("| ").append(c.name()).append(" | ").append(ReplayOutcome.fmt(c.value())).append(' ')
                    .append(c.unit()).append(" | ").append(c.goal()).append(" | ").append(c.met() ? "yes" : "**no**")
                    .append(" | ").append(c.note().replace("|", "\\|")).append(" |\n");
        }
        md.append("\n## Facts\n\n");
        o.facts.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("\n## Charts\n\n")
                .append("![answers per second](timeline-throughput.png)\n\n")
                .append("![latency of 2xx](timeline-latency.png)\n\n")
                .append("![capacity factor and haproxy weight per gateway](timeline-fleet.png)\n\n")
                .append("![2xx and 503 per gateway](timeline-per-gateway.png)\n");
        md.append("\n## Events\n\n| t (s) | what | who | detail |\n|---|---|---|---|\n");
        for (ReplayClock.Event e : run.events()) {
            md.append(String.format(Locale.ROOT, "| %.2f | %s | %s | %s |%n", e.t(), e.kind(), e.subject(),
                                    e.detail()));
        }
        md.append("\n## Every second\n\nCounts and latency by the second an answer arrived (latency of a 2xx runs from "
                  + "its attempt's intended send time). Gateway cells: lifecycle state, slow-start "
                  + "capacity factor when ready, then haproxy's status/weight.\n\n");
        List<String> names = run.snapshots().stream().flatMap(s -> s.members().keySet().stream()).distinct()
                .sorted().toList();
        md.append("| t | offered | sent | retries | 2xx | 429 | 503 | LB 5xx | conn err | gave up | p50 ms | p99 ms "
                  + "| generator |");
        names.forEach(n -> md.append(' ').append(n).append(" |"));
        md.append("\n|").append("---|".repeat(13 + names.size())).append('\n');
        LoadRecord load = run.load();
        for (int s = 0; s < lastSecond(run); s++) {
            LoadRecord.Latency l = load.okLatency(null, s, s + 1);
            boolean out = o.outageSeconds.contains(s);
            md.append(String.format(Locale.ROOT, "| %s%d%s | %d | %d | %d | %s%d%s | %d | %d | %d | %d | %d | %s | %s |",
                                    marker(run, s), s, "", load.count(Kind.OFFERED, s), load.count(Kind.SENT, s),
                                    load.count(Kind.RETRIES, s), out ? "**" : "", load.count(Kind.OK, s),
                                    out ? "**" : "", load.count(Kind.R429, s), load.count(Kind.R503, s),
                                    load.count(Kind.LB503, s) + load.count(Kind.LB5XX, s),
                                    load.count(Kind.CONN_ERROR, s), load.count(Kind.GAVE_UP, s),
                                    ReplayOutcome.fmt(l.p50()), ReplayOutcome.fmt(l.p99())));
            double stall = s < run.hiccupMillis().length ? run.hiccupMillis()[s] : 0;
            long late = load.count(Kind.LATE, s);
            String generator = (stall >= 50 ? ReplayOutcome.fmt(stall) + " ms" : "")
                    + (late > 0 ? (stall >= 50 ? ", " : "") + late + " late" : "");
            md.append(' ').append(o.stalled(s) ? "**" + generator + "** (not judged)" : generator).append(" |");
            Map<String, String> fleet = fleetAt(run, s);
            names.forEach(n -> md.append(' ').append(fleet.getOrDefault(n, "")).append(" |"));
            md.append('\n');
        }
        md.append("\n2xx in **bold**: an outage second (fewer than half of the offered publishes answered 2xx). "
                  + "`generator`: the worst stall of the load generator's own process in that second (a thread "
                  + "sleeping 5 ms at a time, shown from 50 ms) and how many new publishes left more than "
                  + LoadRecord.LATE_MILLIS + " ms after their due time. A stall above "
                  + ReplayOutcome.fmt(ReplayOutcome.STALL_MILLIS) + " ms or more than 10% late publishes and the second "
                  + "is not judged: the clients could not send on time, so it says nothing about the gateways.\n");
        return md.toString();
    }

    private static String step(int t) {
        return t < 0 ? "(skipped)" : t + " s";
    }

    private static String marker(ReplayRun run, int s) {
        ReplayPlan p = run.plan();
        StringBuilder m = new StringBuilder();
        int[][] steps = {{p.killMasterAt(), 2}, {p.masterBackAt(), 3}, {p.restartAt(), 4}, {p.scaleUpAt(), 5}};
        for (int[] step : steps) {
            if (step[0] == s) {
                m.append('[').append(step[1]).append("] ");
            }
        }
        return m.toString();
    }

    private static void seconds(ReplayOutcome o, Path csv) throws IOException {
        StringBuilder sb = new StringBuilder("t");
        for (Kind k : Kind.values()) {
            sb.append(',').append(k.name().toLowerCase(Locale.ROOT));
        }
        sb.append(",ok_p50_ms,ok_p99_ms");
        List<String> servers = o.run.load().serverNames();
        for (String server : servers) {
            for (LoadRecord.ServerKind k : LoadRecord.ServerKind.values()) {
                sb.append(',').append(server).append('_').append(k.name().toLowerCase(Locale.ROOT));
            }
        }
        sb.append('\n');
        for (int s = 0; s < lastSecond(o.run); s++) {
            sb.append(s);
            for (Kind k : Kind.values()) {
                sb.append(',').append(o.run.load().count(k, s));
            }
            LoadRecord.Latency l = o.run.load().okLatency(null, s, s + 1);
            sb.append(String.format(Locale.ROOT, ",%.3f,%.3f", l.p50(), l.p99()));
            for (String server : servers) {
                for (LoadRecord.ServerKind k : LoadRecord.ServerKind.values()) {
                    sb.append(',').append(o.run.load().serverCount(server, k, s));
                }
            }
            sb.append('\n');
        }
        Files.writeString(csv, sb.toString());
    }

    private static void samples(ReplayRun run, Path csv) throws IOException {
        StringBuilder sb = new StringBuilder("t,gateway,alive,ready_http,state,capacity_factor,lifecycle_state,"
                                             + "circuit_open,haproxy_status,haproxy_weight,haproxy_check,"
                                             + "redis_master_port\n");
        for (Sampler.Snapshot snap : run.snapshots()) {
            snap.members().forEach((name, m) -> {
                Haproxy.ServerView v = snap.lb().get(name);
                sb.append(String.format(Locale.ROOT, "%.3f,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%d%n", snap.t(), name,
                                        m.alive(), m.readyStatus(), m.state(), m.capacityFactor(), m.lifecycleState(),
                                        m.circuitOpen(), v == null ? "" : v.status(), v == null ? "" : v.weight(),
                                        v == null ? "" : v.check(), snap.masterPort()));
            });
        }
        Files.writeString(csv, sb.toString());
    }
}
