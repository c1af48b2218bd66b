package io.spillway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes summary.json, report.md, per-second CSVs and PNG charts of a bench run. */
final class Report {
    private static final String[] COLUMNS = {"group", "step", "offered/s", "due/s", "2xx/s", "429/s", "503/s",
            "other+err/s", "dropped/s", "late/s", "retried/s", "2xx p50 ms", "2xx p99 ms", "2xx max ms", "rej p99 ms",
            "live p99 ms", "gw RSS MB", "gw CPU %", "gw CPU us/2xx", "gen CPU %", "redis CPU %", "machine CPU %"};

    private Report() {
    }

    static Map<String, Object> phase(String group, Bench.StepResult r) {
        PerSecondRecord.Window w = r.window();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("group", group);
        p.put("step", r.label());
        p.put("offeredPerSecond", r.offered());
        p.put("dueRequestsPerSecond", w.rate(PerSecondRecord.Kind.OFFERED));
        p.put("okPerSecond", w.goodput());
        p.put("r429PerSecond", w.rate(PerSecondRecord.Kind.R429));
        p.put("r503PerSecond", w.rate(PerSecondRecord.Kind.R503));
        p.put("otherStatusPerSecond", w.rate(PerSecondRecord.Kind.OTHER));
        p.put("connectionErrorsPerSecond", w.rate(PerSecondRecord.Kind.ERROR));
        p.put("droppedByGeneratorPerSecond", w.rate(PerSecondRecord.Kind.DROPPED));
        p.put("lateByGeneratorPerSecond", w.rate(PerSecondRecord.Kind.LATE));
        p.put("retriedPerSecond", w.rate(PerSecondRecord.Kind.RETRIED));
        p.put("okLatencyMs", percentiles(w.ok()));
        p.put("rejectedLatencyMs", percentiles(w.rejected()));
        if (r.liveness() != null) {
            Map<String, Object> live = percentiles(r.liveness());
            live.put("failures", r.livenessFailures());
            p.put("adminLivenessMs", live);
        }
        Map<String, Object> usage = new LinkedHashMap<>();
        r.usage().forEach((name, u) -> usage.put(name, Map.of("peakRssMB", u.peakRssBytes() / 1048576.0,
                                                              "cpuPercentOfOneCore", u.cpuPercent())));
        p.put("resources", usage);
        return p;
    }

    static Map<String, Object> percentiles(PerSecondRecord.Percentiles q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", q.count());
        m.put("p50", q.p50());
        m.put("p90", q.p90());
        m.put("p99", q.p99());
        m.put("p999", q.p999());
        m.put("max", q.max());
        return m;
    }

    static void write(Bench bench, String status) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("scenario", bench.scenario);
        summary.put("status", status);
        summary.put("finished", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        summary.put("environment", environment(bench));
        summary.put("figures", bench.figures);
        summary.put("facts", bench.facts);
        summary.put("gatewayStartToReadyMs", bench.readyMillis);
        summary.put("phases", bench.phases);
        summary.put("closedLoopWrk", bench.wrkPhases);
        Json.write(bench.dir.resolve("summary.json"), summary);

        List<String> charts = new ArrayList<>();
        for (Map.Entry<String, List<PerSecondRecord.Row>> e : bench.timelines.entrySet()) {
            String name = e.getKey().replaceAll("[^A-Za-z0-9_-]", "_");
            Charts.throughput(e.getValue(), e.getKey() + ": answers per second by status",
                              bench.dir.resolve(name + "-throughput.png"));
            Charts.latency(e.getValue(), e.getKey() + ": latency of answers",
                           bench.dir.resolve(name + "-latency.png"));
            charts.add(name);
            csv(e.getValue(), bench.raw.resolve(name + ".csv"));
        }
        Files.writeString(bench.dir.resolve("report.md"), markdown(bench, status, charts));
    }

    private static Map<String, Object> environment(Bench bench) {
        Map<String, Object> env = new LinkedHashMap<>();
        String gatewayCpus = System.getenv("BENCH_GATEWAY_CPUS");
        if (gatewayCpus == null || gatewayCpus.isBlank()) {
            env.put("cores", Runtime.getRuntime().availableProcessors());
            env.put("sharing", "generator, gateway JVM and redis-server share the same cores; nothing is pinned");
        } else {
            env.put("cores", Runtime.getRuntime().availableProcessors() + " for the harness, generator and redis-server");
            env.put("sharing", "gateways pinned to CPU " + gatewayCpus.trim() + " (taskset); the harness, its "
                    + "generator, its liveness poller and redis-server on CPU " + ownCpus());
        }
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("gatewayJvmFlags", String.join(" ", bench.jvmFlags));
        env.put("generatorClient", bench.transport);
        env.put("generatorMaxInFlight", bench.maxInFlight);
        env.put("payload", "POST /apps/{id}/events, one channel, " + Bench.DATA_BYTES + "-byte data, "
                + Bench.APPS.size() + " apps x " + Bench.CHANNELS + " channels round robin");
        try {
            env.put("loadAverageAtEnd", Files.readString(Path.of("/proc/loadavg")).trim());
        } catch (IOException e) {
            env.put("loadAverageAtEnd", "unknown");
        }
        return env;
    }

    /** The CPUs this harness may run on (its taskset), from /proc/self/status. */
    private static String ownCpus() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String markdown(Bench bench, String status, List<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# Spillway bench: `").append(bench.scenario).append("`\n\n");
        Map<String, Object> env = environment(bench);
        md.append("Status: ").append(status).append(". ").append(ZonedDateTime.now().format(
                DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n\n");
        env.forEach((k, v) -> md.append("- ").append(k).append(": `").append(v).append("`\n"));
        md.append("\nCPU columns are percent of one core (this machine has " + Runtime.getRuntime().availableProcessors()
                          + " cores, so 100 x cores is everything); `machine` counts every process, so machine minus"
                          + " gateway, generator and Redis is what other work on the machine took during the step.\n");
        md.append("\nLatency runs from each request's intended send time (open loop, no coordinated omission). "
                          + "Rates are averages over each step's measured window (after its warm-up). "
                          + "`dropped` = due but not sent because the generator's in-flight cap was reached; "
                          + "`late` = sent more than 20 ms after its due time (the generator fell behind).\n");
        if (!bench.figures.isEmpty()) {
            md.append("\n## Figures\n\n| figure | measured | goal | met | note |\n|---|---|---|---|---|\n");
            bench.figures.forEach((name, f) -> md.append("| ").append(name).append(" | ")
                    .append(fmt((Double) f.get("value"))).append(' ').append(f.get("unit")).append(" | ")
                    .append(f.get("goal")).append(" | ").append((Boolean) f.get("met") ? "yes" : "**no**")
                    .append(" | ").append(f.getOrDefault("note", "")).append(" |\n"));
        }
        if (!bench.facts.isEmpty()) {
            md.append("\n## Facts\n\n");
            bench.facts.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        }
        if (!bench.readyMillis.isEmpty()) {
            md.append("\nGateway process start → ready (ms), every start in this run: ")
                    .append(bench.readyMillis.stream().map(d -> fmt(d)).toList()).append('\n');
        }
        md.append("\n## Steps\n\n|");
        for (String c : COLUMNS) {
            md.append(' ').append(c).append(" |");
        }
        md.append("\n|");
        md.append("---|".repeat(COLUMNS.length)).append('\n');
        for (Map<String, Object> p : bench.phases) {
            md.append(row(p)).append('\n');
        }
        if (!bench.wrkPhases.isEmpty()) {
            md.append("\n## Closed loop (wrk)\n\n| run | req/s | non-2xx | socket errors | p99 ms |\n|---|---|---|---|---|\n");
            for (Map<String, Object> p : bench.wrkPhases) {
                md.append("| ").append(p.get("step")).append(" | ").append(fmt((Double) p.get("closedLoopRequestsPerSecond")))
                        .append(" | ").append(p.get("non2xx")).append(" | ").append(p.get("socketErrors")).append(" | ")
                        .append(fmt((Double) p.get("p99Ms"))).append(" |\n");
            }
        }
        for (String chart : charts) {
            md.append("\n### ").append(chart).append("\n\n![").append(chart).append(" throughput](").append(chart)
                    .append("-throughput.png)\n\n![").append(chart).append(" latency](").append(chart)
                    .append("-latency.png)\n");
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static String row(Map<String, Object> p) {
        Map<String, Object> ok = (Map<String, Object>) p.get("okLatencyMs");
        Map<String, Object> rej = (Map<String, Object>) p.get("rejectedLatencyMs");
        Map<String, Object> live = (Map<String, Object>) p.get("adminLivenessMs");
        Map<String, Map<String, Object>> res = (Map<String, Map<String, Object>>) p.get("resources");
        double otherErr = (Double) p.get("otherStatusPerSecond") + (Double) p.get("connectionErrorsPerSecond");
        List<String> cells = List.of(
                String.valueOf(p.get("group")), String.valueOf(p.get("step")),
                fmt((Double) p.get("offeredPerSecond")), "",
                fmt((Double) p.get("okPerSecond")), fmt((Double) p.get("r429PerSecond")),
                fmt((Double) p.get("r503PerSecond")), fmt(otherErr),
                fmt((Double) p.get("droppedByGeneratorPerSecond")), fmt((Double) p.get("lateByGeneratorPerSecond")),
                fmt((Double) p.get("retriedPerSecond")),
                fmt((Double) ok.get("p50")), fmt((Double) ok.get("p99")), fmt((Double) ok.get("max")),
                fmt((Double) rej.get("p99")), live == null ? "" : fmt((Double) live.get("p99")),
                res.containsKey("gateway") ? fmt((Double) res.get("gateway").get("peakRssMB")) : "",
                res.containsKey("gateway") ? fmt((Double) res.get("gateway").get("cpuPercentOfOneCore")) : "",
                res.containsKey("gateway") ? fmt(cpuMicrosPerOk(p, res.get("gateway"))) : "",
                res.containsKey("generator") ? fmt((Double) res.get("generator").get("cpuPercentOfOneCore")) : "",
                res.containsKey("redis") ? fmt((Double) res.get("redis").get("cpuPercentOfOneCore")) : "",
                res.containsKey("machine") ? fmt((Double) res.get("machine").get("cpuPercentOfOneCore")) : "");
        List<String> shown = new ArrayList<>(cells);
        shown.set(3, fmt((Double) p.get("dueRequestsPerSecond")));
        return "| " + String.join(" | ", shown) + " |";
    }

    private static Double cpuMicrosPerOk(Map<String, Object> p, Map<String, Object> gateway) {
        double ok = (Double) p.get("okPerSecond");
        return ok > 0 ? (Double) gateway.get("cpuPercentOfOneCore") * 1e4 / ok : Double.NaN;
    }

    static String fmt(Double v) {
        if (v == null || v.isNaN()) {
            return "–";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    }

    private static void csv(List<PerSecondRecord.Row> rows, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("t,label,offered,ok,r429,r503,other,error,dropped,late,retried,"
                                                     + "ok_p50_ms,ok_p90_ms,ok_p99_ms,ok_max_ms,rej_p99_ms\n");
        for (PerSecondRecord.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%.1f,%s", r.t(), r.label()));
            for (long c : r.counts()) {
                sb.append(',').append(c);
            }
            sb.append(String.format(Locale.ROOT, ",%.3f,%.3f,%.3f,%.3f,%.3f%n", r.ok().p50(), r.ok().p90(),
                                    r.ok().p99(), r.ok().max(), r.rejected().p99()));
        }
        Files.writeString(file, sb.toString());
    }
}
