package io.spillway.admission;

import java.util.Arrays;
import java.util.List;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.providers.micrometer.MicrometerPrometheusFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelidonAdmissionMetricsTest {
    private final MeterRegistry registry = Metrics.createMeterRegistry();

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void exposesThePrometheusNamesOperatorsRelyOn() {
        HelidonAdmissionMetrics metrics = new HelidonAdmissionMetrics(registry);
        AdmissionGauges gauges = new AdmissionGauges() {
            @Override
            public int backlogWaiting() {
                return 0;
            }

            @Override
            public int concurrencyLimit() {
                return 64;
            }

            @Override
            public int inflight() {
                return 7;
            }

            @Override
            public double capacityFactor() {
                return 0.25;
            }
        };
        metrics.bind(gauges);

        metrics.admitted("1001");
        metrics.admitted("1001");
        metrics.rejected(RejectReason.APP_RATE, "1001");
        metrics.rejected(RejectReason.CONCURRENCY, null);
        metrics.rejected(RejectReason.CONCURRENCY, null);
        metrics.rejected(RejectReason.CONCURRENCY, null);
        metrics.publishLatency(3_000_000L);

        String text = scrape();
        assertEquals(2.0, value(text, "spillway_admission_admitted_total", "app=\"1001\""), text);
        assertEquals(1.0, value(text, "spillway_admission_rejected_total", "reason=\"app_rate\"", "app=\"1001\""), text);
        assertEquals(3.0, value(text, "spillway_admission_rejected_total", "reason=\"concurrency\""), text);
        assertEquals(64.0, value(text, "spillway_concurrency_limit"), text);
        assertEquals(7.0, value(text, "spillway_inflight"), text);
        assertEquals(0.25, value(text, "spillway_capacity_factor"), text);
        assertEquals(1.0, value(text, "spillway_publish_seconds_count"), text);
        assertEquals(1.0, value(text, "spillway_publish_seconds_bucket", "le=\"0.005\""), text);
        assertEquals(0.0, value(text, "spillway_publish_seconds_bucket", "le=\"0.002\""), text);
    }

    @Test
    void theControllerFeedsTheMeters() {
        HelidonAdmissionMetrics metrics = new HelidonAdmissionMetrics(registry);
        ManualClock clock = new ManualClock();
        AdmissionController controller = new AdmissionController(Fixtures.settings(1, 1), List.of(),
                CapacityFactor.full(), TrafficGate.open(), clock, metrics);

        Permit permit = controller.enter().permit();
        controller.charge("1001", 1);
        assertEquals(RejectReason.GLOBAL_RATE, controller.enter().reason());

        String text = scrape();
        assertEquals(1.0, value(text, "spillway_inflight"), text);
        assertEquals(1.0, value(text, "spillway_admission_admitted_total", "app=\"1001\""), text);
        assertEquals(1.0, value(text, "spillway_admission_rejected_total", "reason=\"global_rate\""), text);
        clock.advanceMillis(20);
        permit.onSuccess();
        text = scrape();
        assertEquals(0.0, value(text, "spillway_inflight"), text);
        assertEquals(1.0, value(text, "spillway_publish_seconds_bucket", "le=\"0.025\""), text);
    }

    private String scrape() {
        return MicrometerPrometheusFormatter.builder(registry).build().format().orElseThrow().toString();
    }

    /** The value of the one sample line of {@code name} carrying all {@code labels}. */
    private static double value(String text, String name, String... labels) {
        List<String> lines = text.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> Arrays.stream(labels).allMatch(l::contains))
                .toList();
        assertEquals(1, lines.size(), () -> name + " " + Arrays.toString(labels) + " in\n" + text);
        String line = lines.get(0);
        assertTrue(line.lastIndexOf(' ') > 0, line);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
