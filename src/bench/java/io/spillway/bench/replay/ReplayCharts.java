package io.spillway.bench.replay;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import io.spillway.bench.replay.LoadRecord.Kind;

/** The replay's PNG charts; every one marks the steps with a labelled vertical line. */
final class ReplayCharts {
    private static final Color STEP = new Color(120, 120, 120);
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75)};

    private ReplayCharts() {
    }

    /** A step marker: when and what. */
    record Marker(double t, String label) {
    }

    static void throughput(ReplayRun run, List<Marker> steps, List<Integer> notJudged, Path png) throws IOException {
        XYChart chart = chart("MT1 replay: publishes and answers per second (clients retry; haproxy does not)",
                              "per second");
        int seconds = lastActiveSecond(run);
        LoadRecord load = run.load();
        series(chart, "offered (new publishes)", seconds, s -> load.count(Kind.OFFERED, s));
        series(chart, "sent (incl. retries)", seconds, s -> load.count(Kind.SENT, s));
        series(chart, "2xx", seconds, s -> load.count(Kind.OK, s));
        series(chart, "429", seconds, s -> load.count(Kind.R429, s));
        series(chart, "503 from gateways", seconds, s -> load.count(Kind.R503, s));
        series(chart, "haproxy 502/503/504", seconds, s -> load.count(Kind.LB503, s) + load.count(Kind.LB5XX, s));
        series(chart, "connection errors", seconds, s -> load.count(Kind.CONN_ERROR, s));
        series(chart, "gave up", seconds, s -> load.count(Kind.GAVE_UP, s));
        notJudged(chart, notJudged);
        mark(chart, steps, max(chart));
        save(chart, png);
    }

    static void latency(ReplayRun run, double steadyP99, List<Marker> steps, Path png) throws IOException {
        XYChart chart = chart("MT1 replay: latency of 2xx answers (per attempt, from its intended send time)",
                              "ms (log)");
        chart.getStyler().setYAxisLogarithmic(true);
        int seconds = lastActiveSecond(run);
        series(chart, "2xx p50", seconds, s -> run.load().okLatency(null, s, s + 1).p50());
        series(chart, "2xx p99", seconds, s -> run.load().okLatency(null, s, s + 1).p99());
        series(chart, "3 x steady-state p99", seconds, s -> 3 * steadyP99);
        mark(chart, steps, max(chart));
        save(chart, png);
    }

    static void perServer(ReplayRun run, List<Marker> steps, List<Integer> notJudged, Path png) throws IOException {
        XYChart chart = chart("MT1 replay: 2xx (solid) and 503 (dashed) per second, by gateway", "per second");
        int seconds = lastActiveSecond(run);
        List<String> servers = run.load().serverNames();
        for (String server : servers) {
            Color color = PALETTE[servers.indexOf(server) % PALETTE.length];
            XYSeries ok = series(chart, server + " 2xx", seconds,
                                 s -> run.load().serverCount(server, LoadRecord.ServerKind.OK, s));
            if (ok != null) {
                ok.setMarkerColor(color);
                ok.setLineColor(color);
            }
            XYSeries shed = series(chart, server + " 503", seconds,
                                   s -> run.load().serverCount(server, LoadRecord.ServerKind.R503, s));
            if (shed != null) {
                shed.setMarkerColor(color);
                shed.setLineColor(color).setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                                                  new float[] {4, 4}, 0));
            }
        }
        notJudged(chart, notJudged);
        mark(chart, steps, max(chart));
        save(chart, png);
    }

    /** Slow-start capacity factor each gateway reports (absent while dead or not ready) and HAProxy's weights. */
    static void fleet(ReplayRun run, List<Marker> steps, Path png) throws IOException {
        XYChart chart = chart("MT1 replay: each gateway's capacity factor (solid, 0 = not ready) and haproxy "
                              + "weight / 100 (dashed, 0 = down)", "share of full capacity");
        List<String> names = run.snapshots().stream().flatMap(s -> s.members().keySet().stream()).distinct()
                .sorted().toList();
        for (String name : names) {
            List<Double> xs = new ArrayList<>();
            List<Double> factor = new ArrayList<>();
            List<Double> weight = new ArrayList<>();
            for (Sampler.Snapshot snap : run.snapshots()) {
                FleetMember.Sample sample = snap.members().get(name);
                if (sample == null || snap.t() > run.plan().endAt() + 5) {
                    continue;
                }
                xs.add(snap.t());
                factor.add(sample.ready() && !Double.isNaN(sample.capacityFactor()) ? sample.capacityFactor() : 0);
                Haproxy.ServerView view = snap.lb().get(name);
                weight.add(view != null && view.up() ? view.weight() / 100.0 : 0);
            }
            if (xs.isEmpty()) {
                continue;
            }
            Color color = PALETTE[names.indexOf(name) % PALETTE.length];
            chart.addSeries(name + " capacity", xs, factor).setMarker(SeriesMarkers.NONE).setLineColor(color);
            chart.addSeries(name + " haproxy", xs, weight).setMarker(SeriesMarkers.NONE).setLineColor(color)
                    .setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                                                  new float[] {5, 4}, 0));
        }
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.1);
        mark(chart, steps, 1.1);
        save(chart, png);
    }

    /** Grey crosses on the x axis where the load generator fell behind: what the chart shows there is not judged. */
    private static void notJudged(XYChart chart, List<Integer> seconds) {
        if (seconds.isEmpty()) {
            return;
        }
        List<Double> xs = seconds.stream().map(s -> s + 0.5).toList();
        List<Double> ys = seconds.stream().map(s -> 0.0).toList();
        XYSeries series = chart.addSeries("load generator fell behind (not judged)", xs, ys);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarker(SeriesMarkers.CROSS);
        series.setMarkerColor(Color.GRAY);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(1200).height(460).title(title)
                .xAxisTitle("seconds since the load started").yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        return chart;
    }

    private static int lastActiveSecond(ReplayRun run) {
        int last = run.plan().endAt();
        for (int s = run.load().seconds() - 1; s > last; s--) {
            if (run.load().count(Kind.SENT, s) + run.load().count(Kind.OK, s) + run.load().count(Kind.GAVE_UP, s)
                > 0) {
                return s + 1;
            }
        }
        return last + 1;
    }

    /** Adds a series over seconds {@code [0, seconds)} (NaN points skipped) unless it is all zero. */
    private static XYSeries series(XYChart chart, String name, int seconds, IntToDoubleFunction y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        boolean any = false;
        boolean log = chart.getStyler().isYAxisLogarithmic();
        for (int s = 0; s < seconds; s++) {
            double v = y.applyAsDouble(s);
            if (Double.isNaN(v) || (log && v <= 0)) {
                continue;
            }
            xs.add(s + 0.5);
            ys.add(v);
            any |= v != 0;
        }
        if (!any) {
            return null;
        }
        XYSeries series = chart.addSeries(name, xs, ys);
        series.setMarker(SeriesMarkers.CIRCLE);
        return series;
    }

    private static double max(XYChart chart) {
        double max = 1;
        for (Map.Entry<String, XYSeries> e : chart.getSeriesMap().entrySet()) {
            max = Math.max(max, e.getValue().getYMax());
        }
        return max;
    }

    private static void mark(XYChart chart, List<Marker> steps, double top) {
        boolean log = chart.getStyler().isYAxisLogarithmic();
        chart.getStyler().setAnnotationLineColor(STEP).setAnnotationTextFontColor(STEP);
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                                                                  10, new float[] {2, 3}, 0));
        int i = 0;
        for (Marker m : steps) {
            chart.addAnnotation(new AnnotationLine(m.t(), true, false));
            // stagger labels so neighbouring steps do not overprint each other
            double y = log ? top / Math.pow(1.6, i % 3) : top * (0.97 - 0.06 * (i % 3));
            chart.addAnnotation(new AnnotationText(m.label(), m.t() + 0.4, y, false));
            i++;
        }
    }

    private static void save(XYChart chart, Path png) throws IOException {
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
