package io.spillway.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts of a timeline: answers per second by status, and latency percentiles of admitted requests. */
final class Charts {
    private Charts() {
    }

    static void throughput(List<PerSecondRecord.Row> rows, String title, Path png) throws IOException {
        XYChart chart = chart(title, "requests per second");
        series(chart, rows, "offered", r -> r.get(PerSecondRecord.Kind.OFFERED), false);
        series(chart, rows, "2xx", r -> r.get(PerSecondRecord.Kind.OK), false);
        series(chart, rows, "429", r -> r.get(PerSecondRecord.Kind.R429), false);
        series(chart, rows, "503", r -> r.get(PerSecondRecord.Kind.R503), false);
        series(chart, rows, "other status", r -> r.get(PerSecondRecord.Kind.OTHER), false);
        series(chart, rows, "connection errors", r -> r.get(PerSecondRecord.Kind.ERROR), false);
        series(chart, rows, "dropped by generator", r -> r.get(PerSecondRecord.Kind.DROPPED), false);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static void latency(List<PerSecondRecord.Row> rows, String title, Path png) throws IOException {
        XYChart chart = chart(title, "ms (log), from intended send time");
        chart.getStyler().setYAxisLogarithmic(true);
        series(chart, rows, "2xx p50", r -> r.ok().p50(), true);
        series(chart, rows, "2xx p90", r -> r.ok().p90(), true);
        series(chart, rows, "2xx p99", r -> r.ok().p99(), true);
        series(chart, rows, "2xx max", r -> r.ok().max(), true);
        series(chart, rows, "429/503 p99", r -> r.rejected().p99(), true);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(1100).height(420).title(title)
                .xAxisTitle("seconds since scenario start").yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        return chart;
    }

    /** Adds a series unless it is all zero/NaN; {@code positiveOnly} drops points a log axis cannot show. */
    private static void series(XYChart chart, List<PerSecondRecord.Row> rows, String name,
                               ToDoubleFunction<PerSecondRecord.Row> y, boolean positiveOnly) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        boolean any = false;
        for (PerSecondRecord.Row r : rows) {
            double v = y.applyAsDouble(r);
            if (Double.isNaN(v) || (positiveOnly && v <= 0)) {
                continue;
            }
            xs.add(r.t());
            ys.add(v);
            any |= v != 0;
        }
        if (any) {
            chart.addSeries(name, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
    }
}
